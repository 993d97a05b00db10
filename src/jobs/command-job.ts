import type { ChatForge, Forge } from '../forge/types.js';
import type { GitAuth } from '../git/open-repo.js';
import type { DashboardAction } from '../report/dashboard.js';
import type { Command } from './parse-command.js';
import type { RepoRef } from './repo-ref.js';

/**
 * One accepted command, as data: what a worker needs to run it and nothing live — no forge
 * client, no token. The worker rebuilds the forge and asks for credentials from its own
 * environment when the job starts (connect), so a job could wait in any queue, anywhere.
 */
export interface CommandJob {
  /** The forge kind, owner and repository. */
  ref: RepoRef;
  /** GitHub: the App installation the comment came through (its token is asked for at the start). */
  installationId: number | null;
  /** Gitea: the server the comment came from. */
  serverUrl: string | null;
  command: Command;
  /** Who commented. */
  actor: string;
  /** The issue or PR the comment is on (the reply goes there). */
  issueNumber: number;
  commentId: number;
  /** The webhook delivery. */
  deliveryId: string;
  /**
   * Boxes ticked on the dashboard issue (`issueNumber`; no comment: `commentId` 0): the run's
   * actions. Absent for a `/scrum-apply` comment.
   */
  actions?: DashboardAction[];
}

/** What a worker rebuilds from a job: the forge to answer on and credentials for git. */
export interface JobConnection {
  forge: Forge & ChatForge;
  gitAuth: GitAuth | null;
}

/** Rebuilds a job's forge and credentials from the worker's own settings (App key, Gitea token). */
export type ConnectJob = (job: CommandJob) => Promise<JobConnection>;
