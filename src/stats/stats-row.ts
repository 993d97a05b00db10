import { z } from 'zod';

/**
 * An audit row (report/audit-row.ts) as the stats read it: only the fields they use. Rows
 * written before `head_sha` existed have none; `action` stays a string so a row from a newer
 * version with an action we do not know still counts as selected.
 */
export const StatsRow = z.object({
  ts: z.string(),
  file: z.string(),
  action: z.string(),
  review: z.object({
    model: z.string(),
    confidence_avg: z.number(),
    tier: z.string(),
    reviewed_at: z.string(),
  }),
  patch_model: z.string(),
  patches_applied: z.array(z.object({ confidence: z.number() })),
  patches_rejected: z.array(z.unknown()),
  check: z.object({ green: z.boolean() }).nullable(),
  branch: z.string().nullable().optional(),
  head_sha: z.string().nullable().optional(),
  pr: z.object({ number: z.number().int().positive() }).nullable(),
});
export type StatsRow = z.infer<typeof StatsRow>;

/**
 * A fast, conservative stand-in for `StatsRow.safeParse(value).success` for the hot path (a
 * million rows): true only when the schema would accept the value. Anything else goes through
 * the schema, which has the final word. test/stats/stats-row.test.ts holds the two to agreement.
 */
export function hasStatsRowShape(value: unknown): value is StatsRow {
  if (!isObject(value)) return false;
  const review = Reflect.get(value, 'review');
  const applied = Reflect.get(value, 'patches_applied');
  const check = Reflect.get(value, 'check');
  const pr = Reflect.get(value, 'pr');
  const branch = Reflect.get(value, 'branch');
  const headSha = Reflect.get(value, 'head_sha');
  return (
    typeof Reflect.get(value, 'ts') === 'string' &&
    typeof Reflect.get(value, 'file') === 'string' &&
    typeof Reflect.get(value, 'action') === 'string' &&
    isObject(review) &&
    typeof Reflect.get(review, 'model') === 'string' &&
    isFiniteNumber(Reflect.get(review, 'confidence_avg')) &&
    typeof Reflect.get(review, 'tier') === 'string' &&
    typeof Reflect.get(review, 'reviewed_at') === 'string' &&
    typeof Reflect.get(value, 'patch_model') === 'string' &&
    Array.isArray(applied) &&
    applied.every((patch) => isObject(patch) && isFiniteNumber(Reflect.get(patch, 'confidence'))) &&
    Array.isArray(Reflect.get(value, 'patches_rejected')) &&
    (check === null || (isObject(check) && typeof Reflect.get(check, 'green') === 'boolean')) &&
    (branch === undefined || branch === null || typeof branch === 'string') &&
    (headSha === undefined || headSha === null || typeof headSha === 'string') &&
    (pr === null || (isObject(pr) && isPositiveInteger(Reflect.get(pr, 'number'))))
  );
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value);
}

function isPositiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}
