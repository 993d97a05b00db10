/** What `scrum-apply stats` reports: the trust funnel, per group and overall, and the calibration. */

export type GroupBy = 'reviewer' | 'patch-model' | 'tier' | 'confidence' | 'file-kind';
export const GROUP_BYS: readonly GroupBy[] = ['reviewer', 'patch-model', 'tier', 'confidence', 'file-kind'];

/**
 * What a person did with one of the bot's PRs. `merged_edits_unknown`: merged, but the audit
 * log records no commit of the bot's to compare the head with (rows written before `head_sha`,
 * or a branch that moved on after the merge). `closed_obsolete`: the bot closed it itself
 * (`pr_closed_obsolete`: the file is gone, or its review no longer passes) — no person's
 * verdict. `unknown`: the forge no longer returns the PR.
 */
export type PrOutcome =
  | 'merged_as_proposed'
  | 'merged_after_edits'
  | 'merged_edits_unknown'
  | 'closed_unmerged'
  | 'closed_obsolete'
  | 'open'
  | 'unknown';

export type OutcomeCounts = Record<PrOutcome, number>;

/** Each stage's share of the stage before it; null when that stage is empty. */
export interface FunnelRates {
  answered: number | null;
  passedGates: number | null;
  green: number | null;
  prOpened: number | null;
}

/**
 * One group's funnel. The first four stages count reviews (a file's review, by when it was
 * made, as reviewed and patched by one pair of models — run again and again, it counts once,
 * at the furthest stage it reached); from "PR opened" on, the unit is the PR.
 */
export interface Funnel {
  /** `all`, or the group's value (a model, a tier, a confidence bucket, a file kind). */
  group: string;
  selected: number;
  /** The model answered with at least one patch. */
  answered: number;
  /** At least one patch passed the gates. */
  passedGates: number;
  green: number;
  prsOpened: number;
  rates: FunnelRates;
  /** null without a forge (`--forge none`): the funnel stops at "PR opened". */
  outcomes: OutcomeCounts | null;
  /** Merged (as proposed, after edits, or edits unknown) + closed unmerged. */
  decided: number | null;
  /** Merged ÷ decided; open PRs are not decided yet. */
  mergeRate: number | null;
  /** Merged as proposed ÷ decided, leaving out merges whose edits are unknown. */
  precision: number | null;
  /** From PR opened to merged or closed, over decided PRs. */
  medianHoursToDecision: number | null;
}

export interface CalibrationBucket {
  /** Inclusive bounds of the confidence (0–100), e.g. 90 and 94. */
  low: number;
  high: number;
  label: string;
  prs: number;
  /** Decided PRs whose edits are known: merged as proposed, merged after edits, closed unmerged. */
  decided: number;
  mergedAsProposed: number;
  precision: number | null;
  /** At least `minDecidedPerBucket` decided PRs: enough to judge this bucket. */
  enoughData: boolean;
}

export type Suggestion =
  | {
      type: 'suggested';
      minConfidence: number;
      /** Merged as proposed ÷ decided, over the PRs this threshold keeps. */
      precision: number;
      decided: number;
      /** PRs (any outcome) this threshold keeps. */
      prs: number;
      currentMinConfidence: number;
      /** PRs this history would have had more (+) or fewer (−) than with the current minConfidence. */
      prsChange: number;
    }
  | { type: 'too_little_data'; decided: number; needed: number }
  | { type: 'target_not_reached'; bestMinConfidence: number; bestPrecision: number }
  | { type: 'needs_forge' };

export interface Calibration {
  targetPrecision: number;
  minDecidedPerBucket: number;
  /** By the review's `confidence_avg`. */
  byReview: CalibrationBucket[];
  /** By the lowest confidence among the PR's applied patches. */
  byPatch: CalibrationBucket[];
  /** By the lower of the two: the confidence `minConfidence` gates on. The suggestion reads these. */
  byEffective: CalibrationBucket[];
  suggestion: Suggestion;
}

export interface StatsInput {
  logs: Array<{ path: string; rows: number; malformed: number; problems: string[] }>;
  rows: number;
  malformed: number;
  /** Rows about a whole command rather than a file (a failed run): not part of the funnel. */
  runRows: number;
  /** Rows before `--since`. */
  beforeSince: number;
}

export interface StatsReport {
  generatedAt: string;
  since: string | null;
  by: GroupBy | null;
  forge: 'github' | 'gitea' | 'none';
  input: StatsInput;
  /** The bot's PRs the forge listed; null without a forge. */
  prsListed: number | null;
  overall: Funnel;
  /** One per value of `by`, largest first; empty without `by`. */
  groups: Funnel[];
  calibration: Calibration;
}
