import type { AuditRow } from '../report/audit-row.js';

export interface RunAuditInput {
  deliveryId: string;
  actor: string;
  dryRun: boolean;
  error: string;
  now: Date;
}

/**
 * An audit row for a command that ended before any file was processed (a failed run, a
 * shutdown). Rows are per file; this one names no file (`file: ""`) and carries no review,
 * so queries for a file never match it, while the log still says what became of the command.
 */
export function runAuditRow(input: RunAuditInput): AuditRow {
  return {
    ts: input.now.toISOString(),
    run_id: `delivery-${input.deliveryId}`,
    trigger: 'comment',
    actor: input.actor,
    file: '',
    action: 'error',
    dry_run: input.dryRun,
    review: { model: '', confidence_avg: 0, confidence_min: 0, tier: '', reviewed_at: '' },
    patch_model: '',
    patches_applied: [],
    patches_rejected: [],
    check: null,
    branch: null,
    head_sha: null,
    pr: null,
    reason: input.error,
    error: input.error,
  };
}
