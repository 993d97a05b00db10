import type { RepoConfig } from '../config/config-schema.js';
import type { Forge } from '../forge/types.js';
import type { AuditAction, AuditRow, Trigger } from '../report/audit-row.js';
import type { Logger } from '../log/logger.js';
import type { Redactor } from '../log/redact.js';
import type { GitAuth } from '../git/git.js';
import type { UserRepo } from '../git/user-repo.js';

/** Everything one run needs, resolved by the CLI or the app before the run starts. */
export interface RunOptions {
  /** The repository's work tree (the user's checkout, or the app's cached clone). */
  repoDir: string;
  /** repoDir, already opened (the CLI opens it to find the config file); else opened by the run. */
  userRepo?: UserRepo;
  config: RepoConfig;
  /** False: dry run — everything runs, nothing is pushed or opened. */
  apply: boolean;
  /** null: `--forge none` (push branches only). */
  forge: Forge | null;
  /** Restrict the run to these paths (`--only`, or paths in the comment command). */
  only: string[];
  /** Rebuild and republish a file's PR even when its patch is unchanged. */
  force: boolean;
  trigger: Trigger;
  actor: string | null;
  /** Base branch override (`--base`). */
  base?: string;
  /** Absolute path of the audit log. */
  auditLogPath: string;
  /** Scratch space (worktrees, caches); the run cleans up what it makes here. */
  scratchRoot: string;
  llm: { url: string; apiKey?: string };
  gitAuth: GitAuth | null;
  logger: Logger;
  redact: Redactor;
  /** Worktree slots for checks, each with its own target dir (default: the CPU count). */
  slots?: number;
  /** Called as each file finishes (progress output, the app's status). */
  onFileDone?: (result: FileResult) => void;
  signal?: AbortSignal;
}

/** One selected file's outcome; the audit row carries the detail. */
export interface FileResult {
  file: string;
  action: AuditAction;
  reason: string | null;
  pr: { number: number; url: string } | null;
  branch: string | null;
  row: AuditRow;
  /** Where the file's time went (the benchmark reads it); absent in older reports. */
  timing?: FileTiming;
}

/** A span of a file's processing, in milliseconds since the run started. */
export interface Span {
  startMs: number;
  endMs: number;
}

export interface FileTiming {
  /** From the file's start (it joins the LLM queue) to its result. */
  file: Span;
  /** The patch-model request itself, queueing excluded; null when none was made. */
  llm: Span | null;
  /** The check itself (`cargo fetch` included), waiting for a slot excluded; null when none ran. */
  check: Span | null;
}

export interface RunReport {
  runId: string;
  dryRun: boolean;
  forge: 'github' | 'gitea' | 'none';
  baseBranch: string;
  baseSha: string;
  /** In selection order (deterministic whatever order files finished in). */
  results: FileResult[];
  /** Files that did not pass the eligibility gates, with the reason. */
  skipped: Array<{ file: string; reason: string }>;
  reviewRows: number;
  malformedLines: number;
  /** The first few malformed-line reasons, for the report. */
  problems: string[];
  durationMs: number;
}
