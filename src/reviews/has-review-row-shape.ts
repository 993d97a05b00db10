import type { ReviewRow } from './review-row.js';

/**
 * A fast, conservative stand-in for `ReviewRow.safeParse(value).success`, for the review-log
 * hot path (a million rows): true only when the schema would accept the value, apart from
 * the `reviewed_at` date check, which the caller makes anyway to compare rows. Anything it
 * does not accept goes through the schema, which has the final word and the error message.
 * test/concurrency/review-row-fast-path.test.ts holds the two to agreement.
 */
export function hasReviewRowShape(value: unknown): value is ReviewRow {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const file = field(value, 'file');
  return (
    typeof file === 'string' &&
    file.length > 0 &&
    typeof field(value, 'reviewed_at') === 'string' &&
    optionalString(field(value, 'accepted_model')) &&
    optionalString(field(value, 'suggestions_preview')) &&
    optionalNumber(field(value, 'confidence_avg')) &&
    optionalNumber(field(value, 'confidence_min')) &&
    optionalString(field(value, 'gradient_tier'))
  );
}

function field(value: object, key: string): unknown {
  return Reflect.get(value, key);
}

function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

function optionalNumber(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'number' && Number.isFinite(value));
}
