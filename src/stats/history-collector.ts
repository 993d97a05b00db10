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

/** What every row (in range or not) says about a PR: the bot's commits on it, a person's edits. */
export interface PrEvidence {
  shas: Set<string>;
  humanEdited: boolean;
}

export interface AuditHistory {
  /** By group ('' without `by`). */
  stages: Map<string, StageCounts>;
  prs: Map<number, OwnedPr>;
  evidence: Map<number, PrEvidence>;
  /** Each commit the bot recorded, with the PR it recorded it for. */
  shaOwners: Map<string, number>;
  runRows: number;
  beforeSince: number;
}

export interface HistoryCollector {
  add(row: StatsRow): void;
  finish(): AuditHistory;
}

const PUBLISHED = new Set(['pr_opened', 'pr_updated', 'pr_unchanged']);
const STAGES = 4;

interface Owner extends OwnedPr {
  tsMs: number;
  /** pr_opened / pr_updated put the PR's content there; pr_unchanged only found it. */
  pushed: boolean;
}

/**
 * Folds audit rows, in any order and from any number of logs, into what the funnel needs.
 * Memory follows the number of distinct reviews and PRs, not rows: a review is one map entry
 * holding its furthest stage and its group in one number.
 */
export function createHistoryCollector(options: { by: GroupBy | null; sinceMs: number | null }): HistoryCollector {
  const reviews = new Map<string, number>();
  const groups: string[] = [];
  const groupIndex = new Map<string, number>();
  const owners = new Map<number, Owner>();
  const evidence = new Map<number, PrEvidence>();
  const shaOwners = new Map<string, number>();
  let runRows = 0;
  let beforeSince = 0;

  function indexOf(group: string): number {
    let index = groupIndex.get(group);
    if (index === undefined) {
      index = groups.length;
      groups.push(group);
      groupIndex.set(group, index);
    }
    return index;
  }

  function evidenceFor(number: number): PrEvidence {
    let found = evidence.get(number);
    if (found === undefined) {
      found = { shas: new Set(), humanEdited: false };
      evidence.set(number, found);
    }
    return found;
  }

  function own(row: StatsRow, number: number, group: string): void {
    const parsed = Date.parse(row.ts);
    const tsMs = Number.isNaN(parsed) ? -Infinity : parsed;
    const pushed = row.action !== 'pr_unchanged';
    const current = owners.get(number);
    // The PR carries what the last push put there; a later "unchanged" row only found it.
    const wins = current === undefined || (pushed !== current.pushed ? pushed : tsMs >= current.tsMs);
    if (!wins) return;
    const applied = row.patches_applied.map((p) => p.confidence);
    owners.set(number, {
      number,
      branch: row.branch ?? null,
      group,
      reviewConfidence: row.review.confidence_avg,
      patchConfidence: applied.length > 0 ? Math.min(...applied) : row.review.confidence_avg,
      tsMs,
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
          const sha = row.head_sha.toLowerCase();
          evidenceFor(number).shas.add(sha);
          shaOwners.set(sha, number);
        }
        if (row.action === 'skipped_human_edited') evidenceFor(number).humanEdited = true;
      }
      if (options.sinceMs !== null && !(Date.parse(row.ts) >= options.sinceMs)) {
        beforeSince += 1;
        return;
      }
      const group = options.by === null ? '' : groupOf(options.by, row);
      const key = `${row.file}\n${row.review.reviewed_at}\n${row.review.model}\n${row.patch_model}`;
      const stage = stageOf(row);
      const seen = reviews.get(key);
      if (seen === undefined) reviews.set(key, stage + STAGES * indexOf(group));
      else if (stage > seen % STAGES) reviews.set(key, seen - (seen % STAGES) + stage);
      if (number !== undefined && PUBLISHED.has(row.action)) own(row, number, group);
    },

    finish() {
      const stages = new Map<string, StageCounts>(groups.map((group) => [group, { selected: 0, answered: 0, passedGates: 0, green: 0 }]));
      for (const packed of reviews.values()) {
        const counts = stages.get(groups[Math.floor(packed / STAGES)] ?? '');
        if (counts === undefined) continue;
        const stage = packed % STAGES;
        counts.selected += 1;
        if (stage >= 1) counts.answered += 1;
        if (stage >= 2) counts.passedGates += 1;
        if (stage >= 3) counts.green += 1;
      }
      const prs = new Map<number, OwnedPr>();
      for (const [number, owner] of owners) {
        const { number: n, branch, group, reviewConfidence, patchConfidence } = owner;
        prs.set(number, { number: n, branch, group, reviewConfidence, patchConfidence });
      }
      return { stages, prs, evidence, shaOwners, runRows, beforeSince };
    },
  };
}

/** 0 selected, 1 the model answered with patches, 2 a patch passed the gates, 3 the check was green. */
function stageOf(row: StatsRow): number {
  if (row.check?.green === true) return 3;
  if (row.patches_applied.length > 0) return 2;
  if (row.patches_rejected.length > 0) return 1;
  return 0;
}
