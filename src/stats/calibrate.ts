import type { ClassifiedPr } from './classify-pr.js';
import { bucketLow, confidenceBucket } from './group-of.js';
import type { Calibration, CalibrationBucket, Suggestion } from './stats-types.js';

/** Fewer decided PRs than this in a bucket, and the bucket says too little to move a threshold on. */
export const MIN_DECIDED_PER_BUCKET = 20;

const JUDGED = new Set(['merged_as_proposed', 'merged_after_edits', 'closed_unmerged']);

export interface CalibrateOptions {
  targetPrecision: number;
  /** The repository's minConfidence now: the suggestion says how many PRs it would add or remove. */
  currentMinConfidence: number;
  /** False without a forge: nothing is decided, nothing to suggest. */
  withForge: boolean;
}

/**
 * How often decided PRs were merged as proposed, per confidence bucket, and the lowest
 * minConfidence whose PRs would have reached the target precision on this history.
 *
 * minConfidence gates both the review's confidence_avg and every patch's confidence, so a PR
 * stays under a threshold when the lower of its review's and its weakest patch's confidence
 * does ("effective"). A threshold is only considered where its own bucket holds at least
 * MIN_DECIDED_PER_BUCKET decided PRs: below that, one PR more or less flips the answer.
 */
export function calibrate(prs: ClassifiedPr[], options: CalibrateOptions): Calibration {
  const effective = (pr: ClassifiedPr) => Math.min(pr.reviewConfidence, pr.patchConfidence);
  const byEffective = buckets(prs, effective);
  return {
    targetPrecision: options.targetPrecision,
    minDecidedPerBucket: MIN_DECIDED_PER_BUCKET,
    byReview: buckets(prs, (pr) => pr.reviewConfidence),
    byPatch: buckets(prs, (pr) => pr.patchConfidence),
    byEffective,
    suggestion: options.withForge ? suggest(prs, byEffective, effective, options) : { type: 'needs_forge' },
  };
}

function suggest(prs: ClassifiedPr[], byEffective: CalibrationBucket[], effective: (pr: ClassifiedPr) => number, options: CalibrateOptions): Suggestion {
  const candidates = byEffective.filter((bucket) => bucket.enoughData).map((bucket) => bucket.low);
  if (candidates.length === 0) {
    return { type: 'too_little_data', decided: byEffective.reduce((sum, b) => sum + b.decided, 0), needed: MIN_DECIDED_PER_BUCKET };
  }
  const kept = (threshold: number) => prs.filter((pr) => effective(pr) >= threshold);
  let best: { minConfidence: number; precision: number } | null = null;
  for (const threshold of candidates) {
    const judged = kept(threshold).filter((pr) => JUDGED.has(pr.outcome));
    const precision = judged.filter((pr) => pr.outcome === 'merged_as_proposed').length / judged.length;
    if (precision >= options.targetPrecision) {
      const prsKept = kept(threshold).length;
      return {
        type: 'suggested',
        minConfidence: threshold,
        precision,
        decided: judged.length,
        prs: prsKept,
        currentMinConfidence: options.currentMinConfidence,
        prsChange: prsKept - kept(options.currentMinConfidence).length,
      };
    }
    if (best === null || precision > best.precision) best = { minConfidence: threshold, precision };
  }
  return { type: 'target_not_reached', bestMinConfidence: best?.minConfidence ?? 0, bestPrecision: best?.precision ?? 0 };
}

/** The buckets that hold at least one PR, lowest first. */
function buckets(prs: ClassifiedPr[], confidence: (pr: ClassifiedPr) => number): CalibrationBucket[] {
  const byLow = new Map<number, CalibrationBucket>();
  for (const pr of prs) {
    const value = confidence(pr);
    let bucket = byLow.get(bucketLow(value));
    if (bucket === undefined) {
      const { low, high, label } = confidenceBucket(value);
      bucket = { low, high, label, prs: 0, decided: 0, mergedAsProposed: 0, precision: null, enoughData: false };
      byLow.set(low, bucket);
    }
    bucket.prs += 1;
    if (JUDGED.has(pr.outcome)) bucket.decided += 1;
    if (pr.outcome === 'merged_as_proposed') bucket.mergedAsProposed += 1;
  }
  return [...byLow.values()]
    .sort((a, b) => a.low - b.low)
    .map((bucket) => ({
      ...bucket,
      precision: bucket.decided === 0 ? null : bucket.mergedAsProposed / bucket.decided,
      enoughData: bucket.decided >= MIN_DECIDED_PER_BUCKET,
    }));
}
