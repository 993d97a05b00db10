import { ForgeError, type Forge, type ForgePr, type LabelSpec } from '../forge/types.js';
import { parsePrMeta } from '../report/pr-meta.js';
import { isBotLabel, mergeLabels } from '../report/pr-labels.js';
import { pickOpenPr } from './pr-lifecycle.js';

export interface PublishInput {
  forge: Forge;
  /** Push `commitSha` to `branch`, leased on `expectedRemoteSha` (null: the branch must not exist). */
  push: (branch: string, commitSha: string, expectedRemoteSha: string | null) => Promise<void>;
  /**
   * Told, before its forge writes, that this file will write to the forge without pushing
   * (the branch already holds the commit, or only labels change): pushes need not wait for it.
   */
  noPush?: () => void;
  /** True when every commit on the remote branch (beyond the base) is the bot's own. */
  isBotOnlyBranch: (sha: string) => Promise<boolean>;
  /** The current remote tip of the bot branch; null when it does not exist. */
  remoteBranchSha: string | null;
  /** This branch's PRs, open and closed, from the once-per-run listing. */
  prs: ForgePr[];
  /** The open bot PRs this file is judged against (open-pr-budget.ts), and maxOpenPrs. */
  openPrs: { count: number; max: number };
  /** Bot PRs opened in the last hour (this run's before this file included), and prHourlyLimit (0: none). */
  hourlyPrs?: { count: number; max: number };
  branch: string;
  baseBranch: string;
  baseSha: string;
  commitSha: string;
  patchHash: string;
  /** inputFingerprint() of what this commit was built from. */
  inputFingerprint: string;
  title: string;
  body: string;
  labels: LabelSpec[];
  draft: boolean;
  /** Republish even when the open PR already carries this patch on this base. */
  force: boolean;
  /** A person ticked "allow again": a declined PR does not block this file. */
  allowDeclined?: boolean;
  labelsEnabled: boolean;
}

export type PublishAction =
  | 'pr_opened'
  | 'pr_updated'
  | 'pr_unchanged'
  | 'skipped_closed_pr'
  | 'skipped_human_edited'
  | 'skipped_open_pr_limit'
  | 'skipped_pr_hourly_limit';

export interface PublishOutcome {
  action: PublishAction;
  pr: { number: number; url: string } | null;
  reason: string | null;
  /** The bot's commit the branch now holds, when this outcome put it there (the audit row's head_sha). */
  headSha: string | null;
}

/** The colour given to a person's label we pass through; it already exists, so it is never used. */
const PASS_THROUGH_COLOR = 'ededed';

/**
 * One file's PR, whatever the forge: decide from the PRs already listed whether to push and
 * open, update, or leave things alone. Skips happen before any push or API write.
 */
export async function publishFile(input: PublishInput): Promise<PublishOutcome> {
  const mine = input.prs.filter((pr) => pr.headBranch === input.branch);
  const open = pickOpenPr(mine, input.baseBranch);

  if (open !== null && !input.force) {
    const meta = parsePrMeta(open.body);
    if (meta !== null && meta.base === input.baseSha && meta.patch === input.patchHash) {
      const sameInputs = meta.input === input.inputFingerprint;
      const labelsOk = !input.labelsEnabled || sameBotLabels(open.labels, input.labels);
      if (sameInputs && labelsOk) return outcome('pr_unchanged', open, 'the open PR already carries this patch on this base');
      // Same patch on the same base: the branch stays as it is (no push). New inputs (a newer
      // review) are recorded in the body; drifted labels are mirrored again from the audit row.
      input.noPush?.();
      const synced = await input.forge.updatePr(open, {
        title: sameInputs ? open.title : input.title,
        body: sameInputs ? open.body : input.body,
        labels: labelSpecs(input.labelsEnabled ? mergeLabels(open.labels, input.labels) : open.labels, input.labels),
      });
      return outcome('pr_updated', synced, sameInputs ? 'labels brought in line with the audit row' : 'the same patch, recorded with its new inputs');
    }
  }

  // A person declined exactly this change (a PR from before reviews were fingerprinted; later
  // ones block by review, pr-lifecycle.ts): never propose it again (force does not override).
  const declined = input.allowDeclined === true ? undefined : mine.find((pr) => {
    const meta = pr.state === 'closed' && !pr.merged ? parsePrMeta(pr.body) : null;
    return meta !== null && meta.review === undefined && meta.patch === input.patchHash;
  });
  if (declined !== undefined) {
    return outcome('skipped_closed_pr', declined, `PR #${declined.number} with this patch was closed without merging`);
  }

  if (input.remoteBranchSha !== null && !(await input.isBotOnlyBranch(input.remoteBranchSha))) {
    return outcome('skipped_human_edited', open, 'the branch has commits by someone else');
  }

  if (open === null && input.openPrs.count >= input.openPrs.max) {
    return outcome(
      'skipped_open_pr_limit',
      null,
      `${input.openPrs.count} scrum-apply PRs are open (maxOpenPrs is ${input.openPrs.max})`,
    );
  }

  if (open === null && input.hourlyPrs !== undefined && input.hourlyPrs.max > 0 && input.hourlyPrs.count >= input.hourlyPrs.max) {
    return outcome(
      'skipped_pr_hourly_limit',
      null,
      `${input.hourlyPrs.count} scrum-apply PRs were opened in the last hour (prHourlyLimit is ${input.hourlyPrs.max})`,
    );
  }

  if (input.remoteBranchSha !== input.commitSha) {
    try {
      await input.push(input.branch, input.commitSha, input.remoteBranchSha);
    } catch (error) {
      // The lease failed: another run pushed this branch since it was fetched.
      const concurrent = isStaleLease(error) ? await concurrentOutcome(input, true) : null;
      if (concurrent === null) throw error;
      return concurrent;
    }
  } else {
    input.noPush?.();
  }

  if (open === null) {
    let created: Awaited<ReturnType<Forge['createPr']>>;
    try {
      created = await input.forge.createPr({
        head: input.branch,
        base: input.baseBranch,
        title: input.title,
        body: input.body,
        draft: input.draft,
        labels: input.labelsEnabled ? input.labels : [],
      });
    } catch (error) {
      // Another run opened this branch's PR since the listing.
      const concurrent = isAlreadyExists(error) ? await concurrentOutcome(input, false) : null;
      if (concurrent === null) throw error;
      return concurrent;
    }
    // The forge found one open for this branch that the listing missed, and updated it.
    if (created.existed === true) return outcome('pr_updated', created, 'an open PR for this branch already existed; it was updated', input.commitSha);
    return outcome('pr_opened', created, null, input.commitSha);
  }

  const updated = await input.forge.updatePr(open, {
    title: input.title,
    body: input.body,
    labels: input.labelsEnabled ? labelSpecs(mergeLabels(open.labels, input.labels), input.labels) : labelSpecs(open.labels, []),
  });
  return outcome('pr_updated', updated, null, input.commitSha);
}

/**
 * How a lost race for a leased ref is reported: `stale info` when git saw the ref move before
 * sending, else the server's refusal of the ref update it found changed or locked under it
 * (git's receive-pack: `failed to update ref`; `cannot lock ref`, `incorrect old value provided`,
 * `reference already exists` from others).
 */
const LOST_LEASE = /was rejected: .*(stale info|failed to update ref|cannot lock ref|incorrect old value|reference already exists)/;

function isStaleLease(error: unknown): boolean {
  return error instanceof Error && LOST_LEASE.test(error.message);
}

function isAlreadyExists(error: unknown): boolean {
  return error instanceof ForgeError && (error.status === 422 || error.status === 409) && /already exists/i.test(error.message);
}

/**
 * Another run got to this branch first: what it left there, read once. Its open PR with our
 * inputs is our PR unchanged; another one is this file's PR as that run updated it. Null when
 * nothing explains the refusal (then it is an error after all).
 */
async function concurrentOutcome(input: PublishInput, pushed: boolean): Promise<PublishOutcome | null> {
  const prs = (await input.forge.listBotPrs(input.branch)).filter((pr) => pr.headBranch === input.branch);
  const open = pickOpenPr(prs, input.baseBranch);
  if (open === null) return pushed ? outcome('pr_updated', null, 'the branch was pushed by a concurrent run') : null;
  if (parsePrMeta(open.body)?.input === input.inputFingerprint) return outcome('pr_unchanged', open, 'the PR was opened by a concurrent run');
  return outcome('pr_updated', open, 'the PR was updated by a concurrent run');
}

function sameBotLabels(current: string[], desired: LabelSpec[]): boolean {
  const mine = new Set(current.filter(isBotLabel).map((name) => name.toLowerCase()));
  const wanted = new Set(desired.map((label) => label.name.toLowerCase()));
  return mine.size === wanted.size && [...wanted].every((name) => mine.has(name));
}

function labelSpecs(names: string[], desired: LabelSpec[]): LabelSpec[] {
  const byName = new Map(desired.map((label) => [label.name.toLowerCase(), label]));
  return names.map((name) => byName.get(name.toLowerCase()) ?? { name, color: PASS_THROUGH_COLOR });
}

/** `headSha` only where the branch now holds `commitSha` (pushed, or already there): never a tip it did not check. */
function outcome(action: PublishAction, pr: ForgePr | null, reason: string | null, headSha: string | null = null): PublishOutcome {
  return { action, pr: pr === null ? null : { number: pr.number, url: pr.url }, reason, headSha };
}
