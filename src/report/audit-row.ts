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
  | 'skipped_known_failure'
  | 'pr_closed_obsolete'
  | 'error';

/** A compiler error as the audit row keeps it (redacted, size-capped). */
export interface AuditCheckError {
  /** `E0063`, or null when the compiler gave none. */
  code: string | null;
  message: string;
  file: string | null;
  line: number | null;
}

export interface AuditCheck {
  command: string;
  exit_code: number | null;
  duration_ms: number;
  green: boolean;
  timed_out: boolean;
  /** The first compiler errors (at most 5), when the check was a Cargo build (its messages read as JSON). */
  errors?: AuditCheckError[];
  /** How many warnings the compiler printed, when the check was a Cargo build. */
  warnings?: number;
  /** Why the check could not run at all (not started, no toolchain). */
  not_run?: string;
}

/** A red check's reason in one line: the first compiler error (`E0063 missing field … (src/x.rs:212)`), a timeout, or why it could not run. */
export function checkReason(check: AuditCheck): string {
  if (check.not_run !== undefined) return `check could not run: ${check.not_run}`;
  if (check.timed_out) return `check timed out after ${check.duration_ms} ms`;
  const first = check.errors?.[0];
  if (first !== undefined) {
    const where = first.file === null ? '' : ` (${first.file}${first.line === null ? '' : `:${first.line}`})`;
    return `${first.code === null ? '' : `${first.code} `}${first.message}${where}`;
  }
  return `check exited ${check.exit_code ?? 'abnormally'}`;
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
  /**
   * The commit the bot left its branch at: pushed by this run, or found there and known to be
   * the bot's. null when it vouches for none. `scrum-apply stats` compares it with a merged
   * PR's head to tell "merged as proposed" from "merged after edits".
   */
  head_sha: string | null;
  pr: { number: number; url: string } | null;
  /** Why the outcome is what it is, in words (no_patches, skips). */
  reason: string | null;
  error: string | null;
}
