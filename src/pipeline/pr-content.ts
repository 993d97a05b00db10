import type { AppliedPatch, RejectedPatch } from '../patches/patch-types.js';
import type { CheckResult, Diagnostic } from '../check/create-checker.js';
import { labelsFor } from '../report/pr-labels.js';
import { renderPrBody, renderPrTitle, type PrWarnings } from '../report/pr-body.js';
import type { Review } from '../reviews/review-row.js';
import type { PrContent } from './create-publisher.js';
import type { RunContext } from './process-file.js';

/**
 * The warnings to list in the PR body: those the patch introduced, when the base's are known
 * (the warm build); else the compiler's warnings in the patched file.
 */
function prWarnings(checked: CheckResult, newWarnings: Diagnostic[] | null, path: string): PrWarnings {
  const introduced = newWarnings !== null;
  const list = (newWarnings ?? (checked.diagnostics?.warnings ?? []).filter((warning) => warning.file === path)).map((warning) => ({
    code: warning.code,
    message: warning.message,
    file: warning.file,
    line: warning.line,
  }));
  return { introduced, list };
}

/** The PR's title, body (within the forge's limit) and labels for a green file's commit. */
export async function prContent(
  ctx: RunContext,
  input: {
    review: Review;
    branch: string;
    commitSha: string;
    patchHash: string;
    applied: AppliedPatch[];
    rejected: RejectedPatch[];
    checked: CheckResult;
    /** The warnings the patch introduced (Checker.check); null when the base's are not known. */
    newWarnings: Diagnostic[] | null;
    fingerprint: { input: string; review: string; blob: string };
  },
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
      fingerprint: input.fingerprint,
      applied,
      rejected,
      review,
      patchModel: ctx.row.patchModel,
      check: { command: checked.command, exitCode: checked.exitCode, durationMs: checked.durationMs, output: checked.output, warnings: prWarnings(checked, input.newWarnings, review.file) },
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
