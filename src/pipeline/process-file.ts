import type PQueue from 'p-queue';
import type { Forge, ForgePr } from '../forge/types.js';
import { applyPatches } from '../patches/apply-patches.js';
import type { PatchModel } from '../patches/create-patch-model.js';
import type { AuditAction, AuditCheck } from '../report/audit-row.js';
import type { Logger } from '../log/logger.js';
import { labelsFor } from '../report/pr-labels.js';
import { patchHash, renderPrBody, renderPrTitle } from '../report/pr-body.js';
import { describeError } from '../log/redact.js';
import type { Review } from '../reviews/review-row.js';
import { branchNameFor } from '../git/branch-name.js';
import type { Workspace } from '../git/open-repo.js';
import type { PushRef } from '../git/push-branch.js';
import { buildAuditRow, type RowContext, type RowDetails } from './build-audit-row.js';
import { checkInSlot } from '../check/check-in-slot.js';
import { commitMessage } from './commit-message.js';
import type { OpenPrBudget } from './open-pr-budget.js';
import { publishFile } from './publish-file.js';
import type { FileResult, FileTiming, RunOptions } from './run-types.js';
import type { SharedDirectCargo } from '../check/shared-direct-cargo.js';
import type { SharedFetch } from '../check/shared-fetch.js';

/** What every file of a run shares. */
export interface RunContext {
  options: RunOptions;
  row: RowContext;
  workspace: Workspace;
  model: PatchModel;
  /** Bounds concurrent LLM requests. */
  llmQueue: PQueue;
  /** File `index`'s check starts / ended (which checks ran alongside which: createRunPushes). */
  checkStarted: (index: number) => void;
  checkEnded: (index: number) => void;
  /**
   * Pushes one ref for file `fileIndex` (batched with others, see push-batcher.ts); throws a
   * one-line, redacted error when refused. A file pushes at most once: asking counts as its
   * last word on pushing (settled).
   */
  push: (fileIndex: number, ref: PushRef) => Promise<void>;
  /** File `index` will not push soon (it waits for other files), or not at all: no push waits for it. */
  notPushingSoon: (index: number) => void;
  /** The run's forge with its writes made one at a time (serialForgeWrites); null: none. */
  forge: Forge | null;
  sandbox: 'bwrap' | 'none';
  /** `cargo fetch` once per run rather than before every check. */
  fetch: SharedFetch;
  /** The toolchain's cargo instead of rustup's proxy, chosen once per run. */
  directCargo: SharedDirectCargo;
  /** The bot's PRs, listed once per run, by head branch. */
  prsByBranch: Map<string, ForgePr[]>;
  /** maxOpenPrs, judged in selection order whatever order files finish in. */
  openPrs: OpenPrBudget;
  maxOpenPrs: number;
  now: () => Date;
  /** Milliseconds since the run started (timings). */
  elapsedMs: () => number;
}

export interface SelectedFile {
  /** Position in the selection. */
  index: number;
  review: Review;
  content: Buffer;
  mode: '100644' | '100755';
  /** The worktree slot this file's check asks for (slot-plan.ts: a package's checks stay in one slot). */
  slot?: number;
}

/**
 * One file through the pipeline: ask, gate, check, commit, publish. Outcomes are results;
 * an exception here is turned into an `error` row for this file alone.
 */
export async function processFile(ctx: RunContext, file: SelectedFile, logger: Logger): Promise<FileResult> {
  const { review } = file;
  const timing: FileTiming = { file: { startMs: ctx.elapsedMs(), endMs: 0 }, llm: null, check: null };
  const result = (action: AuditAction, details: RowDetails = {}): FileResult => {
    const row = buildAuditRow(ctx.row, review, action, details, ctx.now());
    timing.file.endMs = ctx.elapsedMs();
    return { file: review.file, action, reason: details.reason ?? null, pr: details.pr ?? null, branch: details.branch ?? null, row, timing };
  };
  // What is known so far (patches, check, branch) stays in the row of a file that fails later,
  // e.g. a branch that was pushed before the forge refused the PR.
  const known: RowDetails = {};
  try {
    return await runSteps(ctx, file, logger, result, known, timing);
  } catch (error) {
    const message = describeError(error, ctx.options.redact);
    logger.error({ err: message }, 'file failed');
    return result('error', { ...known, error: message });
  }
}

async function runSteps(
  ctx: RunContext,
  file: SelectedFile,
  logger: Logger,
  result: (action: AuditAction, details?: RowDetails) => FileResult,
  known: RowDetails,
  timing: FileTiming,
): Promise<FileResult> {
  const { options, workspace } = ctx;
  const { config } = options;
  const { review } = file;
  const source = file.content.toString('utf8');

  logger.info('asking the patch model');
  const answer = await ctx.llmQueue.add(async () => {
    const startMs = ctx.elapsedMs();
    try {
      return await ctx.model.requestPatches(
        {
          file: review.file,
          source,
          reviewText: review.text,
          maxPatchLines: config.maxPatchLines,
          maxPatchesPerFile: config.maxPatchesPerFile,
          minConfidence: config.minConfidence,
        },
        options.signal,
      );
    } finally {
      timing.llm = { startMs, endMs: ctx.elapsedMs() };
    }
  });
  if (answer.type === 'no_patches') return result('no_patches', { reason: answer.reason });

  const patched = applyPatches(source, answer.patches, {
    minConfidence: config.minConfidence,
    maxPatchLines: config.maxPatchLines,
    maxPatchesPerFile: config.maxPatchesPerFile,
  });
  const rejected = [...answer.rejected, ...patched.rejected];
  const applied = patched.applied;
  if (applied.length === 0) {
    return result('all_rejected', { rejected, reason: `${rejected.length} patch(es) rejected` });
  }

  Object.assign(known, { applied, rejected });
  const content = Buffer.from(patched.content, 'utf8');
  logger.info({ applied: applied.length, rejected: rejected.length }, 'running the check');
  const checkResult = await workspace.withSlot(async (slot) => {
    ctx.checkStarted(file.index);
    try {
      const { result: checked, span } = await checkInSlot({
        slot,
        check: config.check,
        sandbox: ctx.sandbox,
        fetch: ctx.fetch,
        directCargo: ctx.directCargo,
        file: { path: review.file, patched: content, original: file.content },
        signal: options.signal,
        elapsedMs: ctx.elapsedMs,
      });
      timing.check = span;
      return checked;
    } finally {
      ctx.checkEnded(file.index);
    }
  }, file.slot);
  const check: AuditCheck = {
    command: checkResult.command,
    exit_code: checkResult.exitCode,
    duration_ms: checkResult.durationMs,
    green: checkResult.green,
    ...(checkResult.timedOut ? { timed_out: true } : {}),
  };
  known.check = check;
  if (!checkResult.green) {
    return result('build_red_reverted', { applied, rejected, check, reason: checkResult.timedOut ? 'check timed out' : 'check failed' });
  }

  // What is committed is the content we validated, built from git objects — never the worktree.
  const commitSha = await workspace.commitFile({ path: review.file, content, mode: file.mode, message: commitMessage(review.file, applied) });
  const branch = branchNameFor(config.branchPrefix, review.file);
  const details: RowDetails = { applied, rejected, check, branch };
  known.branch = branch;
  if (!options.apply) return result('dry_run_committed', { ...details, reason: 'dry run: nothing pushed' });

  const remoteSha = workspace.remoteBranches().get(branch) ?? null;
  const push = (b: string, sha: string, expected: string | null) => ctx.push(file.index, { branch: b, commitSha: sha, expectedRemoteSha: expected });
  const forge = ctx.forge;
  if (forge === null) {
    if (remoteSha !== null && !(await workspace.isBotOnlyBranch(remoteSha))) {
      return result('skipped_human_edited', { ...details, reason: 'the branch has commits by someone else' });
    }
    if (remoteSha !== null && (await workspace.sameChange(remoteSha, commitSha))) {
      return result('committed', { ...details, reason: 'branch already holds this change' });
    }
    await push(branch, commitSha, remoteSha);
    return result('committed', details);
  }

  const hash = patchHash(review.file, applied);
  const diff = await workspace.diffForFile(commitSha, review.file);
  const body = renderPrBody(
    {
      file: review.file,
      branch,
      baseBranch: workspace.baseBranch,
      baseSha: workspace.baseSha,
      runId: ctx.row.runId,
      patchHash: hash,
      applied,
      rejected,
      review,
      patchModel: ctx.row.patchModel,
      check: { command: checkResult.command, exitCode: checkResult.exitCode, durationMs: checkResult.durationMs, output: checkResult.output },
      diff,
    },
    forge.maxBodyLength,
    options.redact,
  );
  const labels = labelsFor({
    action: 'committed',
    tier: review.tier,
    confidenceAvg: review.confidenceAvg,
    reviewerModel: review.model,
    patchModel: ctx.row.patchModel,
    applied: applied.length,
    rejected: rejected.length,
    green: true,
  });
  // Near maxOpenPrs this waits for the files before this one to finish — which may be waiting
  // for this file's push to join theirs: tell the pushes not to.
  const openPrs = { count: await ctx.openPrs.countFor(file.index, () => ctx.notPushingSoon(file.index)), max: ctx.maxOpenPrs };
  const outcome = await publishFile({
    forge,
    push,
    noPush: () => ctx.notPushingSoon(file.index),
    isBotOnlyBranch: (sha) => workspace.isBotOnlyBranch(sha),
    remoteBranchSha: remoteSha,
    prs: ctx.prsByBranch.get(branch) ?? [],
    openPrs,
    branch,
    baseBranch: workspace.baseBranch,
    baseSha: workspace.baseSha,
    commitSha,
    patchHash: hash,
    title: renderPrTitle(review.file, applied.length),
    body,
    labels,
    draft: config.pr.draft,
    force: options.force,
    labelsEnabled: config.labels.enabled,
  });
  return result(outcome.action, { ...details, pr: outcome.pr, reason: outcome.reason });
}
