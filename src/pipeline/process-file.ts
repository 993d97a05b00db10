import type PQueue from 'p-queue';
import { applyPatches } from '../patches/apply-patches.js';
import { planPromptSourceFor } from '../patches/build-prompt.js';
import { wasShown, type PromptSource } from '../patches/prompt-source.js';
import type { PatchModel } from '../patches/create-patch-model.js';
import type { AppliedPatch, PatchRequestResult, RejectedPatch } from '../patches/patch-types.js';
import { ModelUnreachableError } from '../patches/model-unreachable-error.js';
import type { AuditAction, AuditCheck } from '../report/audit-row.js';
import type { Logger } from '../log/logger.js';
import { labelsFor } from '../report/pr-labels.js';
import { patchHash, renderPrBody, renderPrTitle } from '../report/pr-body.js';
import { describeError } from '../log/redact.js';
import type { Review } from '../reviews/review-row.js';
import { branchNameFor } from '../git/branch-name.js';
import type { Workspace } from '../git/open-repo.js';
import { buildAuditRow, type RowContext, type RowDetails } from './build-audit-row.js';
import type { Checker, CheckResult } from '../check/create-checker.js';
import { commitMessage } from './commit-message.js';
import type { PrContent, Publisher } from './create-publisher.js';
import type { FileResult, FileTiming, RunOptions } from './run-types.js';

/** What every file of a run shares. */
export interface RunContext {
  options: RunOptions;
  row: RowContext;
  workspace: Pick<Workspace, 'baseBranch' | 'baseSha' | 'commitFile' | 'diffForFile'>;
  model: PatchModel;
  /** Bounds concurrent LLM requests. */
  llmQueue: PQueue;
  checker: Pick<Checker, 'check'>;
  publisher: Pick<Publisher, 'publish'>;
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
}

/**
 * One file through the pipeline: ask, gate, check, commit, publish. Outcomes are results;
 * an exception here is turned into an `error` row for this file alone — except a model that
 * cannot be used at all (ModelUnreachableError), which fails the run and is thrown on.
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
    if (error instanceof ModelUnreachableError) throw error;
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

  // A file larger than the prompt budget is shown as the parts its review points at (or not at
  // all), and a patch may only touch what the model saw.
  const view = planPromptSourceFor({ source, reviewText: review.text }, config.llm.maxPromptChars);
  if (view.type === 'too_large') return result('skipped_too_large', { reason: `file too large for the prompt budget (${view.chars} chars)` });
  if (view.type === 'regions') logger.info({ regions: view.regions.length, chars: view.totalChars }, 'the file is shown to the model in parts');

  logger.info('asking the patch model');
  const answer = await ask(ctx, file, source, view, timing);
  if (answer.type === 'no_patches') return result('no_patches', { reason: answer.reason });

  const patched = applyPatches(source, answer.patches, {
    minConfidence: config.minConfidence,
    maxPatchLines: config.maxPatchLines,
    maxPatchesPerFile: config.maxPatchesPerFile,
    wasShown: (oldString) => wasShown(view, oldString),
  });
  const rejected = [...answer.rejected, ...patched.rejected];
  const applied = patched.applied;
  if (applied.length === 0) {
    return result('all_rejected', { rejected, reason: `${rejected.length} patch(es) rejected` });
  }

  Object.assign(known, { applied, rejected });
  const content = Buffer.from(patched.content, 'utf8');
  logger.info({ applied: applied.length, rejected: rejected.length }, 'running the check');
  const { result: checked, span } = await ctx.checker.check({ id: file.index, path: review.file, patched: content, original: file.content });
  timing.check = span;
  const check = auditCheck(checked);
  known.check = check;
  if (!checked.green) {
    return result('build_red_reverted', { applied, rejected, check, reason: checked.timedOut ? 'check timed out' : 'check failed' });
  }

  // What is committed is the content we validated, built from git objects — never the worktree.
  const commitSha = await workspace.commitFile({ path: review.file, content, mode: file.mode, message: commitMessage(review.file, applied) });
  const branch = branchNameFor(config.branchPrefix, review.file);
  const details: RowDetails = { applied, rejected, check, branch };
  known.branch = branch;
  if (!options.apply) return result('dry_run_committed', { ...details, reason: 'dry run: nothing pushed' });

  const hash = patchHash(review.file, applied);
  const published = await ctx.publisher.publish({
    index: file.index,
    branch,
    commitSha,
    patchHash: hash,
    pr: async (maxBodyLength) => prContent(ctx, { review, branch, commitSha, patchHash: hash, applied, rejected, checked }, maxBodyLength),
  });
  return result(published.action, { ...details, pr: published.pr, reason: published.reason });
}

/** The patch model's answer for this file, its request timed (queueing excluded). */
async function ask(ctx: RunContext, file: SelectedFile, source: string, view: PromptSource, timing: FileTiming): Promise<PatchRequestResult> {
  const { config } = ctx.options;
  return ctx.llmQueue.add(async () => {
    const startMs = ctx.elapsedMs();
    try {
      return await ctx.model.requestPatches(
        {
          file: file.review.file,
          source,
          reviewText: file.review.text,
          maxPatchLines: config.maxPatchLines,
          maxPatchesPerFile: config.maxPatchesPerFile,
          minConfidence: config.minConfidence,
          view,
        },
        ctx.options.signal,
      );
    } finally {
      timing.llm = { startMs, endMs: ctx.elapsedMs() };
    }
  });
}

function auditCheck(checked: CheckResult): AuditCheck {
  return {
    command: checked.command,
    exit_code: checked.exitCode,
    duration_ms: checked.durationMs,
    green: checked.green,
    ...(checked.timedOut ? { timed_out: true } : {}),
  };
}

/** The PR's title, body (within the forge's limit) and labels for a green file's commit. */
async function prContent(
  ctx: RunContext,
  input: { review: Review; branch: string; commitSha: string; patchHash: string; applied: AppliedPatch[]; rejected: RejectedPatch[]; checked: CheckResult },
  maxBodyLength: number,
): Promise<PrContent> {
  const { review, applied, rejected, checked } = input;
  const body = renderPrBody(
    {
      file: review.file,
      branch: input.branch,
      baseBranch: ctx.workspace.baseBranch,
      baseSha: ctx.workspace.baseSha,
      runId: ctx.row.runId,
      patchHash: input.patchHash,
      applied,
      rejected,
      review,
      patchModel: ctx.row.patchModel,
      check: { command: checked.command, exitCode: checked.exitCode, durationMs: checked.durationMs, output: checked.output },
      diff: await ctx.workspace.diffForFile(input.commitSha, review.file),
    },
    maxBodyLength,
    ctx.options.redact,
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
  return { title: renderPrTitle(review.file, applied.length), body, labels };
}
