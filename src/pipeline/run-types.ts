import type { RepoConfig } from '../config/config-schema.js';
import type { Forge } from '../forge/types.js';
import type { AuditRow, Trigger } from '../report/audit-row.js';
import type { FileResult } from '../report/run-report.js';

export type { FileResult, FileTiming, RunReport, Span } from '../report/run-report.js';
import type { Logger } from '../log/logger.js';
import type { Redactor } from '../log/redact.js';
import type { GitAuth } from '../git/open-repo.js';
import type { UserRepo } from '../git/user-repo.js';
import type { DashboardInputs } from './plan-dashboard-actions.js';

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
  /** Where the check finds its toolchain (PATH, CARGO_HOME, RUSTUP_HOME; allow-listed, see check-environment.ts); default process.env. */
  checkEnv?: NodeJS.ProcessEnv;
  /** Restrict the run to these paths (`--only`, or paths in the comment command). */
  only: string[];
  /** Rebuild and republish a file's PR even when its patch is unchanged. */
  force: boolean;
  /**
   * What the dashboard issue recorded (the failure memory) and the boxes ticked on it, as
   * actions for this run; absent: no memory, no actions. Files chosen by actions limit the run.
   */
  dashboard?: DashboardInputs;
  trigger: Trigger;
  actor: string | null;
  /** Base branch override (`--base`). */
  base?: string;
  /** Absolute path of the audit log. */
  auditLogPath: string;
  /** Also hands each audit row here (the server's database table); its failure is logged, not fatal. */
  auditSink?: (row: AuditRow) => Promise<void>;
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
