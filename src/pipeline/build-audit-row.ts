import type { AppliedPatch, RejectedPatch } from '../patches/patch-types.js';
import type { AuditAction, AuditCheck, AuditRow, Trigger } from '../report/audit-row.js';
import type { Review } from '../reviews/review-row.js';

export interface RowContext {
  runId: string;
  trigger: Trigger;
  actor: string | null;
  dryRun: boolean;
  patchModel: string;
}

export interface RowDetails {
  applied?: AppliedPatch[];
  rejected?: RejectedPatch[];
  check?: AuditCheck | null;
  branch?: string | null;
  headSha?: string | null;
  pr?: { number: number; url: string } | null;
  reason?: string | null;
  error?: string | null;
}

/** One audit row; every field is always present so rows are uniform to query. */
export function buildAuditRow(context: RowContext, review: Review, action: AuditAction, details: RowDetails, now: Date): AuditRow {
  return {
    ts: now.toISOString(),
    run_id: context.runId,
    trigger: context.trigger,
    actor: context.actor,
    file: review.file,
    action,
    dry_run: context.dryRun,
    review: {
      model: review.model,
      confidence_avg: review.confidenceAvg,
      confidence_min: review.confidenceMin,
      tier: review.tier,
      reviewed_at: review.reviewedAtText,
    },
    patch_model: context.patchModel,
    patches_applied: (details.applied ?? []).map((p) => ({ rationale: p.rationale, confidence: p.confidence, lines: p.lines })),
    patches_rejected: (details.rejected ?? []).map((p) => ({ reason: p.reason, rationale: p.rationale, confidence: p.confidence })),
    check: details.check ?? null,
    branch: details.branch ?? null,
    head_sha: details.headSha ?? null,
    pr: details.pr ?? null,
    reason: details.reason ?? null,
    error: details.error ?? null,
  };
}
