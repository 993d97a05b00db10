import { describe, expect, it } from 'vitest';
import { hasReviewRowShape } from '../../src/reviews/has-review-row-shape.js';
import { ReviewRow } from '../../src/reviews/review-row.js';

/**
 * The review-log hot path skips the zod schema for rows of the plain shape; that is only
 * sound if the shape test never accepts what the schema refuses (its date check aside,
 * which the reader makes itself). Every combination of the field values below (a value of
 * undefined: the field is absent) is tried.
 */
const VALUES: Record<string, unknown[]> = {
  file: [undefined, null, '', 'src/a.rs', 7, ['src/a.rs']],
  reviewed_at: [undefined, null, '2026-01-01T00:00:00Z', 20260101, ''],
  accepted_model: [undefined, null, 'kimi', 3, {}],
  suggestions_preview: [undefined, null, 'use ?', false],
  confidence_avg: [undefined, null, 95, '95', Number.NaN, Number.POSITIVE_INFINITY, 1e308],
  confidence_min: [undefined, null, 0, -5, '0'],
  gradient_tier: [undefined, null, 'auto', 1],
};

function* combinations(keys: string[], row: Record<string, unknown> = {}): Generator<Record<string, unknown>> {
  const [key, ...rest] = keys;
  if (key === undefined) {
    yield row;
    return;
  }
  for (const value of VALUES[key] ?? []) {
    const next = { ...row };
    if (value !== undefined) next[key] = value;
    yield* combinations(rest, next);
  }
}

describe('hasReviewRowShape', () => {
  it('never accepts a value the ReviewRow schema refuses (date check aside)', () => {
    let accepted = 0;
    let total = 0;
    for (const row of combinations(Object.keys(VALUES))) {
      total += 1;
      if (!hasReviewRowShape(row)) continue;
      accepted += 1;
      const parsed = ReviewRow.safeParse({ ...row, reviewed_at: '2026-01-01T00:00:00Z' });
      expect(parsed.success, JSON.stringify(row)).toBe(true);
      expect(typeof row.reviewed_at).toBe('string');
    }
    expect(total).toBeGreaterThan(10_000);
    expect(accepted).toBeGreaterThan(100);
  });

  it('the values above cover every field of the schema, whose shape the fast path is read from', () => {
    expect(Object.keys(VALUES).sort()).toEqual(Object.keys(ReviewRow.shape).sort());
  });

  it('accepts the plain rows a reviewer writes, with unknown fields, and refuses non-objects', () => {
    const row = { file: 'src/a.rs', reviewed_at: 'x', confidence_avg: 95, extra: { nested: true } };
    expect(hasReviewRowShape(row)).toBe(true);
    for (const value of [null, 'text', 3, [row], undefined]) expect(hasReviewRowShape(value)).toBe(false);
  });
});
