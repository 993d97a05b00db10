import type { PrHistory } from '../forge/types.js';
import type { OwnedPr, PrEvidence } from './history-collector.js';
import type { PrOutcome } from './stats-types.js';

export interface ClassifiedPr extends OwnedPr {
  outcome: PrOutcome;
  /** From opened to merged or closed; null while open or when the forge gives no times. */
  hoursToDecision: number | null;
}

const HOUR_MS = 3_600_000;

/**
 * What became of a PR, from the forge's listing and the audit log's evidence. A merged PR was
 * merged as proposed when its head is a commit the bot recorded for it, after edits when a
 * person's commit was on the branch (the head is none of the bot's, or a run found the branch
 * edited). A head the bot recorded for another PR means the branch moved on after the merge
 * (Gitea reports a living branch's tip): edits unknown, not guessed.
 */
export function classifyPr(pr: OwnedPr, listed: PrHistory | undefined, evidence: PrEvidence | undefined, shaOwners: Map<string, number>): ClassifiedPr {
  // A number the forge does not know, or that is another branch's (a log of another repository).
  if (listed === undefined || (pr.branch !== null && listed.headBranch !== pr.branch)) {
    return { ...pr, outcome: 'unknown', hoursToDecision: null };
  }
  if (listed.state === 'open') return { ...pr, outcome: 'open', hoursToDecision: null };
  const hoursToDecision = hoursBetween(listed.createdAt, listed.merged ? (listed.mergedAt ?? listed.closedAt) : listed.closedAt);
  if (!listed.merged) {
    // Closed by the bot itself: no one decided against the patch.
    if (evidence?.closedByBot === true) return { ...pr, outcome: 'closed_obsolete', hoursToDecision: null };
    return { ...pr, outcome: 'closed_unmerged', hoursToDecision };
  }
  return { ...pr, outcome: mergedOutcome(pr.number, listed.headSha, evidence, shaOwners), hoursToDecision };
}

function mergedOutcome(number: number, headSha: string | null, evidence: PrEvidence | undefined, shaOwners: Map<string, number>): PrOutcome {
  if (evidence?.humanEdited === true) return 'merged_after_edits';
  if (headSha === null) return 'merged_edits_unknown';
  const recordedFor = shaOwners.get(headSha.toLowerCase());
  if (recordedFor === number) return 'merged_as_proposed';
  if (recordedFor !== undefined) return 'merged_edits_unknown';
  return evidence?.recordedSha === true ? 'merged_after_edits' : 'merged_edits_unknown';
}

function hoursBetween(from: string | null, to: string | null): number | null {
  if (from === null || to === null) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms / HOUR_MS : null;
}
