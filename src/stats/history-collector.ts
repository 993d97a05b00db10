import { groupOf } from './group-of.js';
import type { StatsRow } from './stats-row.js';
import type { GroupBy } from './stats-types.js';

/** Reviews per stage: selected, answered with patches, passed the gates, check green. */
export interface StageCounts {
  selected: number;
  answered: number;
  passedGates: number;
  green: number;
}

/** A PR as the audit log knows it, through the row that last published it in range. */
export interface OwnedPr {
  number: number;
  branch: string | null;
  group: string;
  reviewConfidence: number;
  /** The lowest confidence among the applied patches. */
  patchConfidence: number;
}

/** What every row (in range or not) says about a PR: a commit the bot recorded for it, a person's edits. */
export interface PrEvidence {
  recordedSha: boolean;
  humanEdited: boolean;
  /** A run closed it as obsolete. */
  closedByBot: boolean;
}

export interface AuditHistory {
  /** By group ('' without `by`). */
  stages: Map<string, StageCounts>;
  prs: Map<number, OwnedPr>;
  evidence: Map<number, PrEvidence>;
  /** Each commit the bot recorded (lower case), with the PR it recorded it for. */
  shaOwners: Map<string, number>;
  runRows: number;
  beforeSince: number;
  /**
   * Every branch prefix the bot's PR rows show (the branch is `<prefix><file>`), before and
   * after a change of `branchPrefix`; a branch cleaned or shortened by branchNameFor shows none.
   */
  branchPrefixes: Set<string>;
}

export interface HistoryCollector {
  add(row: StatsRow): void;
  finish(): AuditHistory;
}

const PUBLISHED = new Set(['pr_opened', 'pr_updated', 'pr_unchanged']);
const STAGES = 4;

/** One review of a file: a short list per file, the review seen last at its head. */
interface ReviewEntry {
  reviewedAt: string;
  pair: number;
  /** Furthest stage + STAGES × group index. */
  packed: number;
  next: ReviewEntry | null;
}

interface Owner extends OwnedPr {
  ts: string;
  /** pr_opened / pr_updated put the PR's content there; pr_unchanged only found it. */
  pushed: boolean;
}

/**
 * Folds audit rows, in any order and from any number of logs, into what the funnel needs.
 * Memory follows the number of distinct reviews and PRs, not rows: a review is one small entry
 * holding its furthest stage and its group in one number. (Hot path: a million rows; a row
 * of a review already seen allocates nothing.)
 */
export function createHistoryCollector(options: { by: GroupBy | null; sinceMs: number | null }): HistoryCollector {
  const reviewsByFile = new Map<string, ReviewEntry>();
  const groups: string[] = [];
  const groupIndex = new Map<string, number>();
  /** reviewer → patch model → a short number standing for the pair in review entries. */
  const modelPairs = new Map<string, Map<string, number>>();
  let pairs = 0;
  const owners = new Map<number, Owner>();
  const evidence = new Map<number, PrEvidence>();
  const shaOwners = new Map<string, number>();
  let runRows = 0;
  let beforeSince = 0;
  const branchPrefixes = new Set<string>();
  let lastBranch: string | null = null;

  function groupNumber(group: string): number {
    let index = groupIndex.get(group);
    if (index === undefined) {
      index = groups.length;
      groups.push(group);
      groupIndex.set(group, index);
    }
    return index;
  }

  function pairOf(reviewer: string, patchModel: string): number {
    let byPatchModel = modelPairs.get(reviewer);
    if (byPatchModel === undefined) {
      byPatchModel = new Map();
      modelPairs.set(reviewer, byPatchModel);
    }
    let pair = byPatchModel.get(patchModel);
    if (pair === undefined) {
      pair = pairs;
      pairs += 1;
      byPatchModel.set(patchModel, pair);
    }
    return pair;
  }

  /** The row's review (its file, when made, which models), found or added; moved to its file's head. */
  function reviewEntry(row: StatsRow, pair: number): ReviewEntry {
    const head = reviewsByFile.get(row.file);
    const reviewedAt = row.review.reviewed_at;
    let previous: ReviewEntry | null = null;
    for (let entry = head ?? null; entry !== null; previous = entry, entry = entry.next) {
      if (entry.reviewedAt !== reviewedAt || entry.pair !== pair) continue;
      if (previous !== null && head !== undefined) {
        previous.next = entry.next;
        entry.next = head;
        reviewsByFile.set(row.file, entry);
      }
      return entry;
    }
    const group = options.by === null ? '' : groupOf(options.by, row);
    const entry: ReviewEntry = { reviewedAt, pair, packed: STAGES * groupNumber(group), next: head ?? null };
    reviewsByFile.set(row.file, entry);
    return entry;
  }

  function evidenceFor(number: number): PrEvidence {
    let found = evidence.get(number);
    if (found === undefined) {
      found = { recordedSha: false, humanEdited: false, closedByBot: false };
      evidence.set(number, found);
    }
    return found;
  }

  function own(row: StatsRow, number: number, group: string): void {
    const pushed = row.action !== 'pr_unchanged';
    const current = owners.get(number);
    // The PR carries what the last push put there; a later "unchanged" row only found it.
    // Times are parsed only to settle a tie between two rows of the same kind.
    const wins = current === undefined || (pushed !== current.pushed ? pushed : !(timeOf(row.ts) < timeOf(current.ts)));
    if (!wins) return;
    let patchConfidence = Infinity;
    for (const patch of row.patches_applied) patchConfidence = Math.min(patchConfidence, patch.confidence);
    owners.set(number, {
      number,
      branch: row.branch ?? null,
      group,
      reviewConfidence: row.review.confidence_avg,
      patchConfidence: patchConfidence === Infinity ? row.review.confidence_avg : patchConfidence,
      ts: row.ts,
      pushed,
    });
  }

  return {
    add(row) {
      // A row about a whole command (server/run-audit-row.ts) names no file.
      if (row.file === '') {
        runRows += 1;
        return;
      }
      const number = row.pr?.number;
      if (number !== undefined) {
        if (row.head_sha) {
          shaOwners.set(row.head_sha.toLowerCase(), number);
          evidenceFor(number).recordedSha = true;
        }
        if (row.action === 'skipped_human_edited') evidenceFor(number).humanEdited = true;
        if (row.action === 'pr_closed_obsolete') evidenceFor(number).closedByBot = true;
        // Consecutive rows of one PR share a branch: the prefix is derived once for them.
        if (row.branch && row.branch !== lastBranch) {
          lastBranch = row.branch;
          const prefix = prefixOf(row.branch, row.file);
          if (prefix !== null) branchPrefixes.add(prefix);
        }
      }
      // A known failure skipped without asking the model is no new attempt: the row that
      // failed already counted its review, and this one must not count it again as selected.
      if (row.action === 'skipped_known_failure') return;
      if (options.sinceMs !== null && !(Date.parse(row.ts) >= options.sinceMs)) {
        beforeSince += 1;
        return;
      }
      const entry = reviewEntry(row, pairOf(row.review.model, row.patch_model));
      const stage = stageOf(row);
      if (stage > entry.packed % STAGES) entry.packed += stage - (entry.packed % STAGES);
      if (number !== undefined && PUBLISHED.has(row.action)) own(row, number, groups[Math.floor(entry.packed / STAGES)] ?? '');
    },

    finish() {
      const stages = new Map<string, StageCounts>(groups.map((group) => [group, { selected: 0, answered: 0, passedGates: 0, green: 0 }]));
      for (const head of reviewsByFile.values()) {
        for (let entry: ReviewEntry | null = head; entry !== null; entry = entry.next) {
          const counts = stages.get(groups[Math.floor(entry.packed / STAGES)] ?? '');
          if (counts === undefined) continue;
          const stage = entry.packed % STAGES;
          counts.selected += 1;
          if (stage >= 1) counts.answered += 1;
          if (stage >= 2) counts.passedGates += 1;
          if (stage >= 3) counts.green += 1;
        }
      }
      const prs = new Map<number, OwnedPr>();
      for (const [number, owner] of owners) {
        const { number: n, branch, group, reviewConfidence, patchConfidence } = owner;
        prs.set(number, { number: n, branch, group, reviewConfidence, patchConfidence });
      }
      return { stages, prs, evidence, shaOwners, runRows, beforeSince, branchPrefixes };
    },
  };
}

/** `scrum-apply/` of `scrum-apply/src/a.rs` for the file `src/a.rs`; null when the branch does not end in its file. */
function prefixOf(branch: string, file: string): string | null {
  return branch.length > file.length && branch.endsWith(file) ? branch.slice(0, branch.length - file.length) : null;
}

/** A row's time in ms; an unreadable one sorts first. */
function timeOf(ts: string): number {
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? -Infinity : ms;
}

/** 0 selected, 1 the model answered with patches, 2 a patch passed the gates, 3 the check was green. */
function stageOf(row: StatsRow): number {
  if (row.check?.green === true) return 3;
  if (row.patches_applied.length > 0) return 2;
  if (row.patches_rejected.length > 0) return 1;
  return 0;
}
