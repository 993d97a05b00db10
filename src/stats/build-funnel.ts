import type { ClassifiedPr } from './classify-pr.js';
import type { StageCounts } from './history-collector.js';
import type { Funnel, OutcomeCounts } from './stats-types.js';

/**
 * One group's funnel from its reviews' stages and its PRs. `withForge` false: the PRs'
 * fate is not known, so outcomes, rates and times are null rather than zero.
 */
export function buildFunnel(group: string, stages: StageCounts, prs: ClassifiedPr[], withForge: boolean): Funnel {
  const { selected, answered, passedGates, green } = stages;
  const prsOpened = prs.length;
  const base = {
    group,
    selected,
    answered,
    passedGates,
    green,
    prsOpened,
    rates: {
      answered: ratio(answered, selected),
      passedGates: ratio(passedGates, answered),
      green: ratio(green, passedGates),
      prOpened: ratio(prsOpened, green),
    },
  };
  if (!withForge) return { ...base, outcomes: null, decided: null, mergeRate: null, precision: null, medianHoursToDecision: null };

  const outcomes: OutcomeCounts = {
    merged_as_proposed: 0,
    merged_after_edits: 0,
    merged_edits_unknown: 0,
    closed_unmerged: 0,
    closed_obsolete: 0,
    open: 0,
    unknown: 0,
  };
  for (const pr of prs) outcomes[pr.outcome] += 1;
  const merged = outcomes.merged_as_proposed + outcomes.merged_after_edits + outcomes.merged_edits_unknown;
  const decided = merged + outcomes.closed_unmerged;
  const judged = decided - outcomes.merged_edits_unknown;
  const hours = prs.flatMap((pr) => (pr.hoursToDecision === null ? [] : [pr.hoursToDecision]));
  return {
    ...base,
    outcomes,
    decided,
    mergeRate: ratio(merged, decided),
    precision: ratio(outcomes.merged_as_proposed, judged),
    medianHoursToDecision: median(hours),
  };
}

/** Adds up stage counts (the overall funnel from the groups'). */
export function sumStages(all: Iterable<StageCounts>): StageCounts {
  const total: StageCounts = { selected: 0, answered: 0, passedGates: 0, green: 0 };
  for (const s of all) {
    total.selected += s.selected;
    total.answered += s.answered;
    total.passedGates += s.passedGates;
    total.green += s.green;
  }
  return total;
}

export function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? upper) + upper) / 2;
}
