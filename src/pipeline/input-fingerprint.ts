import { createHash } from 'node:crypto';
import { PROMPT_VERSION } from '../patches/build-prompt.js';
import type { Review } from '../reviews/review-row.js';

/** The settings that shape a file's result: the same inputs under other gates may give another PR. */
export interface FingerprintGates {
  minConfidence: number;
  maxPatchLines: number;
  maxPatchesPerFile: number;
  checkCommand: string;
  maxPromptChars: number;
}

export interface FingerprintInput {
  file: string;
  /** The file's git blob id at the base. */
  blob: string;
  review: Review;
  patchModel: string;
  gates: FingerprintGates;
}

function sha256(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value), 'utf8').digest('hex');
}

/** The review row that selected a file: a newer review of it is a different fingerprint. */
export function reviewFingerprint(review: Review): string {
  return sha256(['review', review.file, review.reviewedAtText, review.model, review.text, review.confidenceAvg, review.confidenceMin, review.tier]);
}

/**
 * Everything a file's PR is built from. An open PR with the same fingerprint is what this run
 * would build again (up to the model's wording), so it is left as it is without asking.
 */
export function inputFingerprint(input: FingerprintInput): string {
  const { gates } = input;
  return sha256([
    'input',
    input.file,
    input.blob,
    reviewFingerprint(input.review),
    input.patchModel,
    PROMPT_VERSION,
    [gates.minConfidence, gates.maxPatchLines, gates.maxPatchesPerFile, gates.checkCommand, gates.maxPromptChars],
  ]);
}
