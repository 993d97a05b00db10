import type { Forge, ForgePr } from '../forge/types.js';
import { branchNameFor } from '../git/branch-name.js';
import type { Repo } from '../git/open-repo.js';
import type { Logger } from '../log/logger.js';
import { describeError } from '../log/redact.js';
import type { AuditAction } from '../report/audit-row.js';
import { parsePrMeta } from '../report/pr-meta.js';
import type { Review } from '../reviews/review-row.js';
import type { SkippedFile } from '../reviews/select-files.js';
import { buildAuditRow, type RowContext, type RowDetails } from './build-audit-row.js';
import { pickOpenPr } from './pr-lifecycle.js';
import type { FileResult } from './run-types.js';

export interface ObsoleteSweep {
  forge: Pick<Forge, 'closePr'>;
  workspace: Pick<Repo, 'baseBranch' | 'readTrackedFile' | 'remoteBranches' | 'isBotOnlyBranch' | 'deleteBranch'>;
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

/**
 * Open bot PRs whose finding is gone: the file no longer exists at the base, or its latest
 * review no longer passes the gates. Each is closed with one comment saying why and, when
 * every commit on it is the bot's, its branch deleted. A PR with the stop label, or one a
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
    const reason = await obsoleteReason(sweep, file);
    if (reason === null) continue;
    results.push(await closeOne(sweep, file, open, reason));
  }
  return results;
}

async function obsoleteReason(sweep: ObsoleteSweep, file: string): Promise<string | null> {
  const tracked = await sweep.workspace.readTrackedFile(file);
  if (tracked.type === 'rejected' && tracked.reason.startsWith('not tracked at')) return 'the file no longer exists at the base';
  const gate = sweep.skipped.find((s) => s.file === file && GATE_REASON.test(s.reason));
  return gate === undefined ? null : `the latest review no longer passes the gates (${gate.reason})`;
}

async function closeOne(sweep: ObsoleteSweep, file: string, open: ForgePr, reason: string): Promise<FileResult> {
  const branch = open.headBranch;
  const pr = { number: open.number, url: open.url };
  const review = sweep.latest.get(file) ?? placeholderReview(file);
  const result = (action: AuditAction, details: RowDetails): FileResult => {
    const row = buildAuditRow(sweep.row, review, action, { branch, pr, ...details }, sweep.now());
    return { file, action, reason: details.reason ?? null, pr, branch, row };
  };
  const logger = sweep.logger.child({ file, pr: open.number });
  try {
    const remoteSha = sweep.workspace.remoteBranches().get(branch) ?? null;
    const botOnly = remoteSha === null || (await sweep.workspace.isBotOnlyBranch(remoteSha));
    if (!botOnly) return result('skipped_human_edited', { reason: `obsolete (${reason}), but the branch has commits by someone else` });
    await sweep.forge.closePr(open, `scrum-apply closed this PR: ${reason}.`);
    if (remoteSha !== null) await sweep.workspace.deleteBranch(branch, remoteSha);
    logger.info({ reason }, 'closed an obsolete PR');
    return result('pr_closed_obsolete', { reason });
  } catch (error) {
    const message = describeError(error, sweep.redact);
    logger.error({ err: message }, 'closing an obsolete PR failed');
    return result('error', { reason, error: message });
  }
}

/** The audit row of a file with no review left in the log. */
function placeholderReview(file: string): Review {
  return { file, reviewedAt: 0, reviewedAtText: '', model: '', text: '', confidenceAvg: 0, confidenceMin: 0, tier: '', line: 0 };
}
