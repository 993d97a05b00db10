export type Trigger = 'comment' | 'schedule' | 'cli';

export type AuditAction =
  | 'no_patches'
  | 'all_rejected'
  | 'build_red_reverted'
  | 'committed'
  | 'branch_unchanged'
  | 'dry_run_committed'
  | 'pr_opened'
  | 'pr_updated'
  | 'pr_unchanged'
  | 'skipped_closed_pr'
  | 'skipped_human_edited'
  | 'skipped_open_pr_limit'
  | 'skipped_too_large'
  | 'skipped_pr_hourly_limit'
  | 'skipped_stopped'
  | 'pr_closed_obsolete'
  | 'error';

export interface AuditCheck {
  command: string;
  exit_code: number | null;
  duration_ms: number;
  green: boolean;
  timed_out?: boolean;
}

export interface AuditRow {
  ts: string;
  run_id: string;
  trigger: Trigger;
  actor: string | null;
  file: string;
  action: AuditAction;
  dry_run: boolean;
  review: {
    model: string;
    confidence_avg: number;
    confidence_min: number;
    tier: string;
    reviewed_at: string;
  };
  patch_model: string;
  patches_applied: Array<{ rationale: string; confidence: number; lines: number }>;
  patches_rejected: Array<{ reason: string; rationale?: string; confidence?: number | null }>;
  check: AuditCheck | null;
  branch: string | null;
  pr: { number: number; url: string } | null;
  /** Why the outcome is what it is, in words (no_patches, skips). */
  reason: string | null;
  error: string | null;
}
