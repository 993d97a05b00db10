import { createPathChecker } from './path-safety.js';
import type { Review } from './review-row.js';

export interface SelectionRules {
  minConfidence: number;
  minFindingConfidence: number;
  excludeTiers: readonly string[];
  /** The configured deny list; ALWAYS_DENY is added here, whatever this says. */
  deny: readonly string[];
  /** When non-empty, only these exact paths are considered (e.g. paths named in a comment). */
  only?: readonly string[];
}

export interface SkippedFile {
  file: string;
  reason: string;
}

export interface Selection {
  /** Best first; the caller takes the first `maxFiles` it can use. */
  eligible: Review[];
  skipped: SkippedFile[];
}

/** Why a review is not eligible, or null when it is. Gates in the order a person would ask. */
function rejectionReason(
  review: Review,
  rules: SelectionRules,
  checkPath: ReturnType<typeof createPathChecker>,
): string | null {
  if (rules.excludeTiers.includes(review.tier)) return `tier ${review.tier} is excluded`;
  if (review.confidenceAvg < rules.minConfidence) {
    return `confidence_avg ${review.confidenceAvg} < ${rules.minConfidence}`;
  }
  if (review.confidenceMin < rules.minFindingConfidence) {
    return `confidence_min ${review.confidenceMin} < ${rules.minFindingConfidence}`;
  }
  const path = checkPath(review.file);
  return path.ok ? null : path.reason;
}

function compareCodeUnits(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** Confidence first; the path breaks ties so the same log always gives the same order. */
function byPriority(a: Review, b: Review): number {
  return (
    b.confidenceAvg - a.confidenceAvg ||
    b.confidenceMin - a.confidenceMin ||
    compareCodeUnits(a.file, b.file)
  );
}

export function selectFiles(latest: ReadonlyMap<string, Review>, rules: SelectionRules): Selection {
  const checkPath = createPathChecker(rules.deny);
  const eligible: Review[] = [];
  const skipped: SkippedFile[] = [];

  const only = rules.only && rules.only.length > 0 ? [...new Set(rules.only)] : null;
  const candidates: Review[] = [];
  if (only) {
    for (const file of only) {
      const review = latest.get(file);
      if (review) candidates.push(review);
      else skipped.push({ file, reason: 'no review for this file' });
    }
  } else {
    candidates.push(...latest.values());
  }

  for (const review of candidates) {
    const reason = rejectionReason(review, rules, checkPath);
    if (reason === null) eligible.push(review);
    else skipped.push({ file: review.file, reason });
  }
  eligible.sort(byPriority);
  return { eligible, skipped };
}
