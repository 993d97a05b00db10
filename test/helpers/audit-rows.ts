import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditAction, AuditRow } from '../../src/report/audit-row.js';

/** A synthetic history's review: which file, when reviewed, by whom, how confident. */
export interface ReviewSpec {
  file: string;
  reviewedAt?: string;
  reviewer?: string;
  patchModel?: string;
  confidence?: number;
  tier?: string;
}

export interface RowSpec {
  action: AuditAction;
  ts?: string;
  pr?: number;
  headSha?: string | null;
  /** Applied patches' confidences (default: one at the review's confidence for actions past the gates). */
  patchConfidences?: number[];
  /** Leave `head_sha` out entirely, as rows written before it existed. */
  legacy?: boolean;
}

const PAST_GATES = new Set<AuditAction>([
  'build_red_reverted',
  'dry_run_committed',
  'committed',
  'pr_opened',
  'pr_updated',
  'pr_unchanged',
  'skipped_closed_pr',
  'skipped_human_edited',
  'skipped_open_pr_limit',
]);

/** One audit row as the pipeline writes it (build-audit-row.ts), for `review` and `spec`. */
export function auditRow(review: ReviewSpec, spec: RowSpec): Record<string, unknown> {
  const confidence = review.confidence ?? 95;
  const pastGates = PAST_GATES.has(spec.action);
  const green = pastGates && spec.action !== 'build_red_reverted';
  const applied = pastGates ? (spec.patchConfidences ?? [confidence]) : [];
  const branch = `scrum-apply/${review.file}`;
  const row: AuditRow = {
    ts: spec.ts ?? '2026-06-01T10:00:00.000Z',
    run_id: 'run-1',
    trigger: 'schedule',
    actor: null,
    file: review.file,
    action: spec.action,
    dry_run: spec.action === 'dry_run_committed',
    review: {
      model: review.reviewer ?? 'kimi-k2:1t',
      confidence_avg: confidence,
      confidence_min: 80,
      tier: review.tier ?? 'auto',
      reviewed_at: review.reviewedAt ?? '2026-05-31T09:00:00Z',
    },
    patch_model: review.patchModel ?? 'qwen3-coder:480b',
    patches_applied: applied.map((c) => ({ rationale: 'use a named constant', confidence: c, lines: 1 })),
    patches_rejected: spec.action === 'all_rejected' ? [{ reason: 'old_string not found', rationale: 'x', confidence: 90 }] : [],
    check: pastGates ? { command: 'cargo check --workspace', exit_code: green ? 0 : 101, duration_ms: 900, green, timed_out: false } : null,
    branch: pastGates ? branch : null,
    head_sha: spec.headSha ?? null,
    pr: spec.pr === undefined ? null : { number: spec.pr, url: `https://github.com/acme/widgets/pull/${spec.pr}` },
    reason: null,
    error: null,
  };
  if (spec.legacy === true) {
    const { head_sha: _dropped, ...legacy } = row;
    return legacy;
  }
  return { ...row };
}

/** Writes rows (objects, or raw lines for malformed input) as a JSONL audit log. */
export function writeAuditLog(path: string, rows: Array<Record<string, unknown> | string>): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n')}\n`);
  return path;
}

/** A 40-hex commit id that reads as its name in failures. */
export function sha(n: number): string {
  return n.toString(16).padStart(40, '0');
}
