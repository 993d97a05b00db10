import type { Forge, ForgePr } from '../forge/types.js';
import { branchNameFor } from '../git/branch-name.js';
import type { Repo } from '../git/open-repo.js';
import type { Logger } from '../log/logger.js';
import { describeError } from '../log/redact.js';
import type { AuditAction } from '../report/audit-row.js';
import { parsePrMeta } from '../report/pr-meta.js';
import { obsoleteLabels } from '../report/pr-labels.js';
import type { Review } from '../reviews/review-row.js';
import type { SkippedFile } from '../reviews/select-files.js';
import { buildAuditRow, type RowContext, type RowDetails } from './build-audit-row.js';
import { pickOpenPr } from './pr-lifecycle.js';
import type { FileResult } from './run-types.js';

/** Why an open PR's finding is gone; the cause names its `obsolete:` label. */
export interface Obsolete {
  cause: 'file-deleted' | 'no-fresh-fix' | 'gates';
  reason: string;
}

/** What closing one obsolete PR needs: the forge's writes and the bot branch on the remote. */
export interface ObsoleteCloser {
  forge: Pick<Forge, 'updatePr' | 'closePr'>;
  workspace: Pick<Repo, 'remoteBranches' | 'isBotOnlyBranch' | 'deleteBranch'>;
  labelsEnabled: boolean;
}

/**
 * Close one obsolete PR, in this order: its labels first (so the closed PR records why), then
 * one comment saying why, then the close, then its branch deleted. A branch a person pushed to
 * is left alone (`skipped_human_edited`, nothing written). Throws what the forge or git threw.
 */
export async function closeObsoletePr(closer: ObsoleteCloser, open: ForgePr, obsolete: Obsolete, logger: Logger): Promise<{ action: AuditAction; reason: string }> {
  const remoteSha = closer.workspace.remoteBranches().get(open.headBranch) ?? null;
  const botOnly = remoteSha === null || (await closer.workspace.isBotOnlyBranch(remoteSha));
  if (!botOnly) return { action: 'skipped_human_edited', reason: `obsolete (${obsolete.reason}), but the branch has commits by someone else` };
  if (closer.labelsEnabled) await closer.forge.updatePr(open, { title: open.title, body: open.body, labels: obsoleteLabels(open.labels, obsolete.cause) });
  await closer.forge.closePr(open, `scrum-apply closed this PR: ${obsolete.reason}.`);
  if (remoteSha !== null) await closer.workspace.deleteBranch(open.headBranch, remoteSha);
  logger.info({ reason: obsolete.reason }, 'closed an obsolete PR');
  return { action: 'pr_closed_obsolete', reason: obsolete.reason };
}

export interface ObsoleteSweep extends ObsoleteCloser {
  workspace: ObsoleteCloser['workspace'] & Pick<Repo, 'baseBranch' | 'readTrackedFile'>;
  /** The bot's PRs as listed at the start of the run. */
  prs: ForgePr[];
  /** Files this run processed (their PRs were judged there). */
  processed: ReadonlySet<string>;
  /** Files the selection left out, with why. */
  skipped: readonly SkippedFile[];
  /** The latest review per file. */
  latest: ReadonlyMap<string, Review>;
  /** `--only`: PRs of other files are not this run's business. */
  only: readonly string[];
  branchPrefix: string;
  stopLabel: string;
  row: RowContext;
  now: () => Date;
  logger: Logger;
  redact: (text: string) => string;
}

/** Gate reasons of select-files.ts: the finding no longer qualifies. */
const GATE_REASON = /^(tier \S+ is excluded|confidence_(avg|min) \d+ < \d+)$/;

/** True when a file left out by the selection may have an obsolete PR (the run must list the PRs). */
export function failsTheGates(skipped: SkippedFile): boolean {
  return GATE_REASON.test(skipped.reason);
}

/**
 * Open bot PRs of files this run did not process whose finding is gone: the file no longer
 * exists at the base, or its latest review no longer passes the gates (the third cause — its
 * patches no longer apply and a fresh answer gives nothing — is found while processing the
 * file, process-file.ts). Each is closed by closeObsoletePr. A PR with the stop label, or one a
 * person pushed to, is never closed.
 */
export async function closeObsoletePrs(sweep: ObsoleteSweep): Promise<FileResult[]> {
  const results: FileResult[] = [];
  const byFile = new Map<string, ForgePr[]>();
  for (const pr of sweep.prs) {
    const file = parsePrMeta(pr.body)?.file;
    if (file === undefined || pr.headBranch !== branchNameFor(sweep.branchPrefix, file)) continue;
    byFile.set(file, [...(byFile.get(file) ?? []), pr]);
  }
  for (const [file, prs] of byFile) {
    if (sweep.processed.has(file) || (sweep.only.length > 0 && !sweep.only.includes(file))) continue;
    const open = pickOpenPr(prs, sweep.workspace.baseBranch);
    if (open === null || open.baseBranch !== sweep.workspace.baseBranch) continue;
    if (open.labels.some((label) => label.toLowerCase() === sweep.stopLabel.toLowerCase())) continue;
    const obsolete = await obsoleteReason(sweep, file);
    if (obsolete === null) continue;
    results.push(await closeOne(sweep, file, open, obsolete));
  }
  return results;
}

async function obsoleteReason(sweep: ObsoleteSweep, file: string): Promise<Obsolete | null> {
  const tracked = await sweep.workspace.readTrackedFile(file);
  if (tracked.type === 'rejected' && tracked.reason.startsWith('not tracked at')) return { cause: 'file-deleted', reason: 'the file no longer exists at the base' };
  const gate = sweep.skipped.find((s) => s.file === file && failsTheGates(s));
  return gate === undefined ? null : { cause: 'gates', reason: `the latest review no longer passes the gates (${gate.reason})` };
}

async function closeOne(sweep: ObsoleteSweep, file: string, open: ForgePr, obsolete: Obsolete): Promise<FileResult> {
  const branch = open.headBranch;
  const pr = { number: open.number, url: open.url };
  const review = sweep.latest.get(file) ?? placeholderReview(file);
  const result = (action: AuditAction, details: RowDetails): FileResult => {
    const row = buildAuditRow(sweep.row, review, action, { branch, pr, ...details }, sweep.now());
    return { file, action, reason: details.reason ?? null, pr, branch, row };
  };
  const logger = sweep.logger.child({ file, pr: open.number });
  try {
    const closed = await closeObsoletePr(sweep, open, obsolete, logger);
    return result(closed.action, { reason: closed.reason });
  } catch (error) {
    const message = describeError(error, sweep.redact);
    logger.error({ err: message }, 'closing an obsolete PR failed');
    return result('error', { reason: obsolete.reason, error: message });
  }
}

/** The audit row of a file with no review left in the log. */
function placeholderReview(file: string): Review {
  return { file, reviewedAt: 0, reviewedAtText: '', model: '', text: '', confidenceAvg: 0, confidenceMin: 0, tier: '', line: 0 };
}
