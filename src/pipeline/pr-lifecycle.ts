import type { ForgePr } from '../forge/types.js';
import type { Patch } from '../patches/patch-types.js';
import { parsePrMeta } from '../report/pr-meta.js';
import type { CommitTrailers } from './commit-message.js';

export type RebaseWhen = 'conflicted' | 'behind-base' | 'never';

/** What is known of a file's branch before the model is asked: the listing and the remote tip. */
export interface ExistingBranch {
  /** This branch's PRs (open and closed) from the once-per-run listing; empty without a forge. */
  prs: ForgePr[];
  /** True when there is a forge (the PRs are known); false: `--forge none`. */
  forge: boolean;
  /** The remote branch's tip commit; null when there is none. */
  remoteSha: string | null;
  /** The trailers of that commit's message (read only when needed). */
  remoteTrailers: () => Promise<CommitTrailers | null>;
}

export interface LifecycleInput {
  existing: ExistingBranch;
  baseBranch: string;
  baseSha: string;
  /** The file's inputs now, and its blob at the base. */
  fingerprint: string;
  review: string;
  blob: string;
  /** The input fingerprint the file would have with another blob (everything else as now). */
  fingerprintWithBlob: (blob: string) => string;
  rebaseWhen: RebaseWhen;
  stopLabel: string;
  /** `--force`: rebuild whatever the open PR carries (a stop label or a declined PR still win). */
  force: boolean;
  /** Its dashboard "allow again" box was ticked: a declined PR for this review no longer blocks it. */
  allowDeclined?: boolean;
}

export type LifecycleDecision =
  | { type: 'stopped'; pr: ForgePr }
  | { type: 'declined'; pr: ForgePr }
  | { type: 'unchanged'; pr: ForgePr | null; reason: string }
  | { type: 'reapply'; pr: ForgePr; patches: Patch[] }
  | { type: 'ask' };

/**
 * What becomes of a file's existing PR before anything is asked of the model: left alone (a
 * stop label, a declined finding, the same inputs, a base move that does not touch the file),
 * rebuilt from its own patches (the file changed at the base), or asked about afresh.
 */
export async function decideLifecycle(input: LifecycleInput): Promise<LifecycleDecision> {
  const { existing } = input;
  const mine = existing.prs;
  const open = pickOpenPr(mine, input.baseBranch);
  const stop = input.stopLabel.toLowerCase();
  if (open !== null && open.labels.some((l) => l.toLowerCase() === stop)) return { type: 'stopped', pr: open };

  if (open === null && input.allowDeclined !== true) {
    // A person declined this finding: nothing more for this file until a newer review of it.
    const declined = mine.find((pr) => pr.state === 'closed' && !pr.merged && parsePrMeta(pr.body)?.review === input.review);
    if (declined !== undefined) return { type: 'declined', pr: declined };
  }
  if (input.force) return { type: 'ask' };

  if (open === null) {
    if (existing.forge || existing.remoteSha === null) return { type: 'ask' };
    // `--forge none`: the branch's commit remembers its inputs.
    const trailers = await existing.remoteTrailers();
    return trailers?.input === input.fingerprint
      ? { type: 'unchanged', pr: null, reason: 'the branch was built from these same inputs' }
      : { type: 'ask' };
  }

  const meta = parsePrMeta(open.body);
  if (meta?.input === undefined) return { type: 'ask' };
  const patches = (meta.patches ?? []).map((p) => ({ ...p }));
  const rebuild = (): LifecycleDecision => (patches.length > 0 ? { type: 'reapply', pr: open, patches } : { type: 'ask' });
  if (input.rebaseWhen === 'never' && meta.review === input.review) {
    return { type: 'unchanged', pr: open, reason: 'the open PR is kept as it is (rebaseWhen: never)' };
  }
  if (meta.input === input.fingerprint) {
    if (meta.base === input.baseSha) return { type: 'unchanged', pr: open, reason: 'the open PR was built from these same inputs' };
    if (input.rebaseWhen === 'behind-base') return rebuild();
    return { type: 'unchanged', pr: open, reason: 'the base moved but the file did not; the PR is left as it is' };
  }
  // Only the file changed at the base: the PR's own patches, if they still apply.
  if (meta.review === input.review && meta.blob !== undefined && input.fingerprintWithBlob(meta.blob) === meta.input) return rebuild();
  return { type: 'ask' };
}

/** The open PR for this branch; on a forge allowing several (different bases), the one on ours. */
export function pickOpenPr(prs: ForgePr[], baseBranch: string): ForgePr | null {
  const open = prs.filter((pr) => pr.state === 'open');
  return open.find((pr) => pr.baseBranch === baseBranch) ?? open[0] ?? null;
}
