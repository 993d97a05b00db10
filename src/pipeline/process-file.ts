import type PQueue from 'p-queue';
import { applyPatches } from '../patches/apply-patches.js';
import { planPromptSourceFor } from '../patches/build-prompt.js';
import { wasShown, type PromptSource } from '../patches/prompt-source.js';
import type { PatchModel } from '../patches/create-patch-model.js';
import type { ApplyResult, PatchRequestResult, RejectedPatch } from '../patches/patch-types.js';
import { ModelUnreachableError } from '../patches/model-unreachable-error.js';
import { NO_PATCHES_PROPOSED } from '../patches/parse-patch-answer.js';
import { checkReason, type AuditAction, type AuditCheck } from '../report/audit-row.js';
import type { Logger } from '../log/logger.js';
import { patchHash } from '../report/pr-body.js';
import { describeError, type Redactor } from '../log/redact.js';
import type { Review } from '../reviews/review-row.js';
import { branchNameFor } from '../git/branch-name.js';
import type { Repo } from '../git/open-repo.js';
import { buildAuditRow, type RowContext, type RowDetails } from './build-audit-row.js';
import { CheckCannotRunError, type Checker, type CheckResult } from '../check/create-checker.js';
import { commitMessage } from './commit-message.js';
import type { Publisher } from './create-publisher.js';
import { prContent } from './pr-content.js';
import { inputFingerprint, reviewFingerprint } from './input-fingerprint.js';
import { decideLifecycle, type LifecycleInput } from './pr-lifecycle.js';
import type { DashboardPlan } from './plan-dashboard-actions.js';
import type { FileResult, FileTiming, RunOptions } from './run-types.js';

/** What every file of a run shares. */
export interface RunContext {
  options: RunOptions;
  /** The dashboard's memory and ticked boxes, per file. */
  plan: DashboardPlan;
  row: RowContext;
  workspace: Pick<Repo, 'baseBranch' | 'baseSha' | 'commitFile' | 'diffForFile'>;
  model: PatchModel;
  /** Bounds concurrent LLM requests. */
  llmQueue: PQueue;
  checker: Pick<Checker, 'check'>;
  publisher: Pick<Publisher, 'publish' | 'existing' | 'closeObsolete'>;
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
  /** The file's blob id at the base. */
  blob: string;
}

/**
 * One file through the pipeline: ask, gate, check, commit, publish. Outcomes are results;
 * an exception here is turned into an `error` row for this file alone — except a model that
 * cannot be used at all (ModelUnreachableError) or a check that cannot run at all
 * (CheckCannotRunError), which fail the run and are thrown on.
 */
export async function processFile(ctx: RunContext, file: SelectedFile, logger: Logger): Promise<FileResult> {
  const { review } = file;
  const timing: FileTiming = { file: { startMs: ctx.elapsedMs(), endMs: 0 }, llm: null, check: null };
  // The file's inputs (the dashboard's failure memory keeps the fingerprint of a failure).
  const prints = fingerprintsOf(ctx, file);
  const result = (action: AuditAction, details: RowDetails = {}): FileResult => {
    const row = buildAuditRow(ctx.row, review, action, details, ctx.now());
    timing.file.endMs = ctx.elapsedMs();
    return { file: review.file, action, reason: details.reason ?? null, pr: details.pr ?? null, branch: details.branch ?? null, row, timing, input: prints.input };
  };
  // What is known so far (patches, check, branch) stays in the row of a file that fails later,
  // e.g. a branch that was pushed before the forge refused the PR.
  const known: RowDetails = {};
  try {
    return await runSteps(ctx, file, logger, result, known, timing, prints);
  } catch (error) {
    if (error instanceof ModelUnreachableError || error instanceof CheckCannotRunError) throw error;
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
  prints: Fingerprints,
): Promise<FileResult> {
  const { options, workspace } = ctx;
  const { config } = options;
  const { review } = file;
  const source = file.content.toString('utf8');
  const branch = branchNameFor(config.branchPrefix, review.file);

  // Before any model call: what the file's existing PR (or branch) says about this run.
  const decision = options.apply ? await decideLifecycle(lifecycleInput(ctx, file, branch, prints)) : ({ type: 'ask' } as const);
  if (decision.type === 'stopped') {
    return result('skipped_stopped', { branch, pr: decision.pr, reason: `PR #${decision.pr.number} carries the ${config.stopLabel} label` });
  }
  if (decision.type === 'declined') {
    return result('skipped_closed_pr', { branch, pr: decision.pr, reason: `PR #${decision.pr.number} for this review was closed without merging` });
  }
  if (decision.type === 'unchanged') {
    return result(decision.pr === null ? 'branch_unchanged' : 'pr_unchanged', { branch, pr: decision.pr, reason: decision.reason });
  }
  // The same inputs failed before (the dashboard remembers): not bought again until they change or a person asks.
  const knownFailure = ctx.plan.knownFailure(review.file, prints.input);
  if (knownFailure !== null) return result('skipped_known_failure', { reason: knownFailure });

  const gates = { minConfidence: config.minConfidence, maxPatchLines: config.maxPatchLines, maxPatchesPerFile: config.maxPatchesPerFile };
  // The file changed at the base: the PR's own patches, if each still applies exactly once.
  const reapplied = decision.type === 'reapply' ? applyPatches(source, decision.patches, gates) : null;
  const rebuilt = reapplied !== null && reapplied.rejected.length === 0 && reapplied.applied.length === (decision.type === 'reapply' ? decision.patches.length : -1);
  // The file changed at the base and the open PR's own patches no longer apply: the model is
  // asked again with the new content; if that answer gives nothing that holds (no patches,
  // every patch rejected, a red check), the PR is obsolete and is closed.
  const stale = decision.type === 'reapply' && !rebuilt ? decision.pr : null;
  const obsoleteOr = async (action: AuditAction, details: RowDetails, answer: string): Promise<FileResult> => {
    if (stale === null) return result(action, details);
    const reason = `its patches no longer apply to the file at the base and a fresh answer ${answer}`;
    const closed = await ctx.publisher.closeObsolete(file.index, stale, { cause: 'no-fresh-fix', reason }, logger);
    return result(closed.action, { ...details, branch, pr: closed.pr, reason: closed.reason });
  };
  let patched: ApplyResult;
  let rejected: RejectedPatch[];
  if (rebuilt) {
    logger.info('re-applying the open PR\'s own patches');
    patched = reapplied;
    rejected = [];
  } else {
    // A file larger than the prompt budget is shown as the parts its review points at (or not at
    // all), and a patch may only touch what the model saw.
    const view = planPromptSourceFor({ source, reviewText: review.text }, config.llm.maxPromptChars);
    if (view.type === 'too_large') return result('skipped_too_large', { reason: `file too large for the prompt budget (${view.chars} chars)` });
    if (view.type === 'regions') logger.info({ regions: view.regions.length, chars: view.totalChars }, 'the file is shown to the model in parts');

    logger.info('asking the patch model');
    const answer = await ask(ctx, file, source, view, timing);
    if (answer.type === 'no_patches') {
      // A failed request says nothing about the finding: only an empty answer makes the PR obsolete.
      if (answer.reason === NO_PATCHES_PROPOSED) return obsoleteOr('no_patches', { reason: answer.reason }, 'has no patches');
      return result('no_patches', { reason: answer.reason });
    }
    patched = applyPatches(source, answer.patches, { ...gates, wasShown: (oldString) => wasShown(view, oldString) });
    rejected = [...answer.rejected, ...patched.rejected];
  }
  const applied = patched.applied;
  if (applied.length === 0) {
    return obsoleteOr('all_rejected', { rejected, reason: `${rejected.length} patch(es) rejected` }, 'has every patch rejected');
  }

  Object.assign(known, { applied, rejected });
  const content = Buffer.from(patched.content, 'utf8');
  logger.info({ applied: applied.length, rejected: rejected.length }, 'running the check');
  const { result: checked, span, newWarnings } = await ctx.checker.check({ id: file.index, path: review.file, patched: content, original: file.content });
  timing.check = span;
  const check = auditCheck(checked, ctx.options.redact);
  known.check = check;
  if (!checked.green) {
    const details = { applied, rejected, check, reason: checkReason(check) };
    // A check that did not run or ran out of time says nothing about the answer.
    if (checked.notRun !== null || checked.timedOut) return result('build_red_reverted', details);
    return obsoleteOr('build_red_reverted', details, 'fails the check');
  }

  // What is committed is the content we validated, built from git objects — never the worktree.
  const trailers = { input: prints.input, review: prints.review };
  const commitSha = await workspace.commitFile({ path: review.file, content, mode: file.mode, message: commitMessage(review.file, applied, trailers) });
  const details: RowDetails = { applied, rejected, check, branch };
  known.branch = branch;
  if (!options.apply) return result('dry_run_committed', { ...details, reason: 'dry run: nothing pushed' });

  const hash = patchHash(review.file, applied);
  const published = await ctx.publisher.publish({
    index: file.index,
    branch,
    commitSha,
    patchHash: hash,
    inputFingerprint: prints.input,
    force: ctx.plan.directives(review.file).rebuild,
    allowDeclined: ctx.plan.directives(review.file).allow,
    pr: async (maxBodyLength) =>
      prContent(ctx, { review, branch, commitSha, patchHash: hash, applied, rejected, checked, newWarnings, fingerprint: { ...trailers, blob: file.blob } }, maxBodyLength),
  });
  const reason = published.reason ?? (rebuilt ? 'rebuilt from its own patches on the new base' : null);
  return result(published.action, { ...details, pr: published.pr, reason, headSha: published.headSha });
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

interface Fingerprints {
  input: string;
  review: string;
  withBlob: (blob: string) => string;
}

function fingerprintsOf(ctx: RunContext, file: SelectedFile): Fingerprints {
  const { config } = ctx.options;
  const gates = { minConfidence: config.minConfidence, maxPatchLines: config.maxPatchLines, maxPatchesPerFile: config.maxPatchesPerFile, checkCommand: config.check.command, maxPromptChars: config.llm.maxPromptChars };
  const withBlob = (blob: string) => inputFingerprint({ file: file.review.file, blob, review: file.review, patchModel: config.llm.model, gates });
  return { input: withBlob(file.blob), review: reviewFingerprint(file.review), withBlob };
}

function lifecycleInput(ctx: RunContext, file: SelectedFile, branch: string, prints: Fingerprints): LifecycleInput {
  const { config } = ctx.options;
  const asked = ctx.plan.directives(file.review.file);
  return {
    existing: ctx.publisher.existing(branch),
    baseBranch: ctx.workspace.baseBranch,
    baseSha: ctx.workspace.baseSha,
    fingerprint: prints.input,
    review: prints.review,
    blob: file.blob,
    fingerprintWithBlob: prints.withBlob,
    rebaseWhen: config.rebaseWhen,
    stopLabel: config.stopLabel,
    force: ctx.options.force || asked.rebuild,
    allowDeclined: asked.allow,
  };
}

/** In the audit row: at most this many compiler errors, each message at most this long. */
const AUDIT_ERRORS = 5;
const AUDIT_MESSAGE_CHARS = 300;

function auditCheck(checked: CheckResult, redact: Redactor): AuditCheck {
  const capped = (text: string) => redact(text).slice(0, AUDIT_MESSAGE_CHARS);
  const diagnostics = checked.diagnostics;
  return {
    command: checked.command,
    exit_code: checked.exitCode,
    duration_ms: checked.durationMs,
    green: checked.green,
    timed_out: checked.timedOut,
    ...(diagnostics === null
      ? {}
      : {
          errors: diagnostics.errors.slice(0, AUDIT_ERRORS).map((error) => ({
            code: error.code,
            message: capped(error.message),
            file: error.file === null ? null : capped(error.file),
            line: error.line,
          })),
          warnings: diagnostics.warningCount,
        }),
    ...(checked.notRun === null ? {} : { not_run: capped(checked.notRun) }),
  };
}
