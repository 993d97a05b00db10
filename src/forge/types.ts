import type { LabelSpec } from '../report/pr-labels.js';

export type { LabelSpec };

/**
 * The contract between the pipeline and a forge (GitHub, Gitea). Implementations
 * return these types, never raw API payloads; the pipeline never asks which forge it has.
 */

export interface ForgePr {
  number: number;
  url: string;
  state: 'open' | 'closed';
  merged: boolean;
  headBranch: string;
  baseBranch: string;
  title: string;
  body: string;
  /** Label names currently on the PR. */
  labels: string[];
  /** When it was opened (ISO 8601), when the forge says (prHourlyLimit counts these). */
  createdAt?: string;
}


export interface NewPr {
  head: string;
  base: string;
  title: string;
  body: string;
  draft: boolean;
  labels: LabelSpec[];
}

/** What `createPr` gives back. */
export interface CreatedPr extends ForgePr {
  /** True when an open PR for this head and base already existed and was updated instead. */
  existed?: boolean;
}

export interface PrUpdate {
  title: string;
  body: string;
  /** The complete label set the PR should carry (person-added labels already merged in). */
  labels: LabelSpec[];
}

/**
 * What became of one of the bot's PRs, as `scrum-apply stats` needs it. Times are ISO 8601
 * strings; null when the forge does not say (or the PR is not closed / merged).
 */
export interface PrHistory {
  number: number;
  url: string;
  headBranch: string;
  state: 'open' | 'closed';
  merged: boolean;
  /**
   * The head commit: for a merged PR the head it was merged at, unless the branch still exists
   * and moved on (Gitea reports a living branch's current tip). null when the forge omits it.
   */
  headSha: string | null;
  createdAt: string | null;
  closedAt: string | null;
  mergedAt: string | null;
}

export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

export interface Forge {
  readonly kind: 'github' | 'gitea';
  /** Largest PR body the forge accepts, with room to spare. */
  readonly maxBodyLength: number;
  /** Every PR, open or closed, whose head branch starts with `branchPrefix`. Called once per run. */
  listBotPrs(branchPrefix: string): Promise<ForgePr[]>;
  /** Make sure these labels exist, creating the missing ones. Cached for the forge's lifetime. */
  ensureLabels(labels: LabelSpec[]): Promise<void>;
  /**
   * Open a PR. A forge that refuses a second one for the same head and base (Gitea's 409) may
   * bring the open one up to date instead, keeping labels that are not the bot's: `existed`.
   */
  createPr(pr: NewPr): Promise<CreatedPr>;
  updatePr(pr: ForgePr, update: PrUpdate): Promise<ForgePr>;
  /** Comment on the PR (why), then close it without merging. */
  closePr(pr: ForgePr, comment: string): Promise<void>;
}

/** What the comment trigger needs on top of publishing PRs. */
export interface ChatForge {
  /** The user's permission on the repository; throws on API errors (callers fail closed). */
  getPermission(username: string): Promise<Permission>;
  createComment(issueNumber: number, body: string): Promise<{ id: number; url: string }>;
  reactToComment(commentId: number, reaction: 'eyes'): Promise<void>;
  defaultBranch(): Promise<string>;
}

/** What `scrum-apply stats` needs on top of publishing PRs. */
export interface HistoryForge {
  /**
   * Every PR, open or closed, whose head branch (in this repository) starts with
   * `branchPrefix`: one paginated listing, never a request per PR.
   */
  listPrHistory(branchPrefix: string): Promise<PrHistory[]>;
}

/** The dashboard issue as the bot sees it. */
export interface DashboardIssue {
  number: number;
  url: string;
  state: 'open' | 'closed';
  body: string;
}

/** What the dashboard issue (one per repository) needs on top of publishing PRs. */
export interface DashboardForge {
  /**
   * The bot's dashboard issue, open or closed: among issues labelled `label` (never PRs), the
   * newest whose body contains `marker`; null when there is none. Found by marker, not title.
   */
  findDashboard(label: string, marker: string): Promise<DashboardIssue | null>;
  /** Open the dashboard issue, labelled `label` (created if missing). */
  createDashboard(title: string, body: string, label: LabelSpec): Promise<DashboardIssue>;
  /** Replace the dashboard issue's body; its state, title and labels stay as they are. */
  editDashboard(number: number, body: string): Promise<void>;
}

/** An API failure with the forge's status, message already redacted. */
export class ForgeError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ForgeError';
  }
}
