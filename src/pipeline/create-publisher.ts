import type { Forge, ForgePr, LabelSpec } from '../forge/types.js';
import type { Repo } from '../git/open-repo.js';
import type { Logger } from '../log/logger.js';
import type { AuditAction } from '../report/audit-row.js';
import { closeObsoletePr, type Obsolete } from './close-obsolete.js';
import { readTrailers } from './commit-message.js';
import { createOpenPrBudget } from './open-pr-budget.js';
import type { ExistingBranch } from './pr-lifecycle.js';
import { publishFile } from './publish-file.js';
import { createRunPushes } from './push-batcher.js';

/** What a PR for a file says; made only when there is a forge to open it on. */
export interface PrContent {
  title: string;
  body: string;
  labels: LabelSpec[];
}

/** One green file's commit, to push and (with a forge) open or update a PR for. */
export interface PublishRequest {
  /** The file's position in the selection (maxOpenPrs is judged in that order). */
  index: number;
  branch: string;
  commitSha: string;
  patchHash: string;
  /** inputFingerprint() of the file (a concurrent run's PR with the same one is this file's PR, unchanged). */
  inputFingerprint: string;
  /** This file's rebuild box was ticked: republish even when the open PR carries this patch. */
  force?: boolean;
  /** This file's "allow again" box was ticked: a declined PR does not block it. */
  allowDeclined?: boolean;
  /** The PR's title, body (at most `maxBodyLength` characters) and labels. */
  pr: (maxBodyLength: number) => Promise<PrContent>;
}

export interface Published {
  action: AuditAction;
  pr: { number: number; url: string } | null;
  reason: string | null;
  /** The bot's commit the branch now holds, when this outcome put it there or found it there checked (the audit row's head_sha). */
  headSha: string | null;
}

export interface Publisher {
  /** What is there for `branch` before the file is processed: its PRs and remote tip. */
  existing(branch: string): ExistingBranch;
  publish(request: PublishRequest): Promise<Published>;
  /**
   * File `index`'s open PR is obsolete (closeObsoletePr: labels, comment, close, branch
   * deleted); it pushes nothing. Throws what the forge or git threw.
   */
  closeObsolete(index: number, pr: ForgePr, obsolete: Obsolete, logger: Logger): Promise<Published>;
  /** Which checks ran alongside which: pushes of files checked side by side go together. */
  checkStarted(index: number): void;
  checkEnded(index: number): void;
  /** File `index` is done (published or not); `opened`: it opened a PR. Once per file. */
  settled(index: number, opened: boolean): void;
}

export interface PublisherOptions {
  workspace: Pick<Repo, 'baseBranch' | 'baseSha' | 'remoteBranches' | 'isBotOnlyBranch' | 'sameChange' | 'pushMany' | 'commitMessage' | 'deleteBranch'>;
  /** The run's forge, its writes one at a time; null: push branches only (`--forge none`). */
  forge: Forge | null;
  /** The bot's PRs, listed once per run. */
  prs: ForgePr[];
  /** Files in the selection. */
  files: number;
  maxOpenPrs: number;
  /** New PRs per hour, counted from the listing's creation times (0: no limit). */
  prHourlyLimit: number;
  /** Now, for the hourly count. */
  now: () => Date;
  draft: boolean;
  force: boolean;
  labelsEnabled: boolean;
  /** How long a push may wait for the files checked alongside its file (0: never). */
  lingerMs: number;
}

/**
 * Publishing for a run: pushes batched across files (push-batcher.ts), maxOpenPrs judged in
 * selection order whatever order files finish in (open-pr-budget.ts), and per file the
 * decision to push, open, update or leave alone (publish-file.ts). The pipeline hands over a
 * green file's commit and gets its outcome.
 */
export function createPublisher(options: PublisherOptions): Publisher {
  const { workspace, forge } = options;
  const pushes = createRunPushes((refs) => workspace.pushMany(refs), { lingerMs: options.lingerMs });
  const prsByBranch = new Map<string, ForgePr[]>();
  let alreadyOpen = 0;
  for (const pr of options.prs) {
    prsByBranch.set(pr.headBranch, [...(prsByBranch.get(pr.headBranch) ?? []), pr]);
    if (pr.state === 'open') alreadyOpen += 1;
  }
  const budget = createOpenPrBudget({ alreadyOpen, max: options.maxOpenPrs, files: options.files });
  // The same judging in selection order, for the PRs opened in the last hour.
  const hourAgo = options.now().getTime() - 3600_000;
  const openedLastHour = options.prs.filter((pr) => pr.createdAt !== undefined && Date.parse(pr.createdAt) > hourAgo).length;
  const hourly = options.prHourlyLimit > 0 ? createOpenPrBudget({ alreadyOpen: openedLastHour, max: options.prHourlyLimit, files: options.files }) : null;

  async function pushOnly(request: PublishRequest, remoteSha: string | null): Promise<Published> {
    const { index, branch, commitSha } = request;
    if (remoteSha !== null && !(await workspace.isBotOnlyBranch(remoteSha))) {
      return { action: 'skipped_human_edited', pr: null, reason: 'the branch has commits by someone else', headSha: null };
    }
    // Only the bot's commits are on it (checked above): its tip is the bot's.
    if (remoteSha !== null && (await workspace.sameChange(remoteSha, commitSha))) {
      return { action: 'branch_unchanged', pr: null, reason: 'the branch already holds this change; nothing pushed', headSha: remoteSha };
    }
    await pushes.push(index, { branch, commitSha, expectedRemoteSha: remoteSha });
    return { action: 'committed', pr: null, reason: null, headSha: commitSha };
  }

  return {
    existing(branch) {
      const remoteSha = workspace.remoteBranches().get(branch) ?? null;
      return {
        prs: prsByBranch.get(branch) ?? [],
        forge: forge !== null,
        remoteSha,
        remoteTrailers: async () => (remoteSha === null ? null : readTrailers(await workspace.commitMessage(remoteSha))),
      };
    },
    async publish(request) {
      const { index, branch } = request;
      const remoteSha = workspace.remoteBranches().get(branch) ?? null;
      if (forge === null) return pushOnly(request, remoteSha);
      const content = await request.pr(forge.maxBodyLength);
      // Near maxOpenPrs this waits for the files before this one to finish — which may be
      // waiting for this file's push to join theirs: tell the pushes not to wait for it.
      const count = await budget.countFor(index, () => pushes.settled(index));
      const hourlyCount = hourly === null ? 0 : await hourly.countFor(index, () => pushes.settled(index));
      const outcome = await publishFile({
        forge,
        push: (b, sha, expected) => pushes.push(index, { branch: b, commitSha: sha, expectedRemoteSha: expected }),
        noPush: () => pushes.settled(index),
        isBotOnlyBranch: (sha) => workspace.isBotOnlyBranch(sha),
        remoteBranchSha: remoteSha,
        prs: prsByBranch.get(branch) ?? [],
        openPrs: { count, max: options.maxOpenPrs },
        hourlyPrs: { count: hourlyCount, max: options.prHourlyLimit },
        branch,
        baseBranch: workspace.baseBranch,
        baseSha: workspace.baseSha,
        commitSha: request.commitSha,
        patchHash: request.patchHash,
        inputFingerprint: request.inputFingerprint,
        ...content,
        draft: options.draft,
        force: options.force || request.force === true,
        allowDeclined: request.allowDeclined === true,
        labelsEnabled: options.labelsEnabled,
      });
      return { action: outcome.action, pr: outcome.pr, reason: outcome.reason, headSha: outcome.headSha };
    },
    async closeObsolete(index, pr, obsolete, logger) {
      if (forge === null) throw new Error('closing a PR needs a forge');
      // Nothing of this file's goes with the other pushes.
      pushes.settled(index);
      const closed = await closeObsoletePr({ forge, workspace, labelsEnabled: options.labelsEnabled }, pr, obsolete, logger);
      return { action: closed.action, pr: { number: pr.number, url: pr.url }, reason: closed.reason, headSha: null };
    },
    checkStarted: (index) => pushes.checkStarted(index),
    checkEnded: (index) => pushes.checkEnded(index),
    settled(index, opened) {
      budget.settle(index, opened);
      hourly?.settle(index, opened);
      pushes.settled(index);
    },
  };
}
