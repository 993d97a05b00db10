import { z } from 'zod';
import { ReviewRow } from './review-row.js';

/** What the fast path tests of one field, read off the ReviewRow schema. */
interface FieldRule {
  key: string;
  type: 'string' | 'number';
  optional: boolean;
  nullable: boolean;
  minLength: number;
}

/** The one refinement the fast path leaves out: the reader parses `reviewed_at` itself. */
const CHECKED_BY_CALLER = 'reviewed_at';

const shapeTest = compileShapeTest(ReviewRow);

/**
 * A fast, conservative stand-in for `ReviewRow.safeParse(value).success`, for the review-log
 * hot path (a million rows): true only when the schema would accept the value, apart from
 * the `reviewed_at` date check, which the caller makes anyway to compare rows. Anything it
 * does not accept goes through the schema, which has the final word and the error message.
 * Its fields and their types are read off the schema, so the two cannot drift;
 * test/concurrency/review-row-fast-path.test.ts holds them to agreement.
 */
export function hasReviewRowShape(value: unknown): value is ReviewRow {
  return shapeTest(value);
}

/**
 * The test as straight-line code, one property read per field by its literal name — what
 * zod does for its own objects. A loop reading the names from a list is about three times
 * slower on a million rows (one read site seeing every name). When the schema holds
 * something the rules cannot say, or code generation is disabled, every row goes through
 * the schema: slower, never wrong.
 */
function compileShapeTest(schema: z.ZodObject): (value: unknown) => boolean {
  const rules = rulesFor(schema);
  if (rules === null) return () => false;
  const lines = [
    'if (typeof value !== "object" || value === null || Array.isArray(value)) return false;',
    'let field;',
    ...rules.map(fieldTestSource),
    'return true;',
  ];
  try {
    const test: unknown = new Function('value', lines.join('\n'));
    return typeof test === 'function' ? (value) => test(value) === true : () => false;
  } catch {
    // `--disallow-code-generation-from-strings`: the schema alone still judges every row.
    return () => false;
  }
}

/** Source for one field's test. Only the schema's own keys and numbers reach it. */
function fieldTestSource(rule: FieldRule): string {
  const present =
    rule.type === 'number'
      ? '(typeof field !== "number" || !Number.isFinite(field))'
      : `(typeof field !== "string" || field.length < ${rule.minLength})`;
  return [
    `field = value[${JSON.stringify(rule.key)}];`,
    `if (field === undefined) { if (${!rule.optional}) return false; }`,
    `else if (field === null) { if (${!rule.nullable}) return false; }`,
    `else if ${present} return false;`,
  ].join(' ');
}

function rulesFor(schema: z.ZodObject): FieldRule[] | null {
  // A strict or catch-all object judges unknown keys, which the rules do not look at.
  if (schema.def.catchall !== undefined) return null;
  const rules: FieldRule[] = [];
  for (const [key, field] of Object.entries(schema.shape)) {
    const rule = ruleFor(key, field);
    if (rule === null) return null;
    rules.push(rule);
  }
  return rules;
}

/** Optional and nullable wrappers around a string (with a minimum length) or a number. */
function ruleFor(key: string, field: z.core.$ZodType): FieldRule | null {
  let optional = false;
  let nullable = false;
  let inner = field;
  for (;;) {
    if (inner instanceof z.ZodOptional) optional = true;
    else if (inner instanceof z.ZodNullable) nullable = true;
    else break;
    inner = inner.unwrap();
  }
  const checks = inner._zod.def.checks ?? [];
  // zod's number refuses NaN and the infinities, as the test does.
  if (inner instanceof z.ZodNumber) {
    return checks.length === 0 ? { key, type: 'number', optional, nullable, minLength: 0 } : null;
  }
  if (!(inner instanceof z.ZodString)) return null;
  let minLength = 0;
  for (const check of checks) {
    const def = check._zod.def;
    if (def.check === 'min_length' && 'minimum' in def && typeof def.minimum === 'number') minLength = def.minimum;
    else if (!(def.check === 'custom' && key === CHECKED_BY_CALLER)) return null;
  }
  return { key, type: 'string', optional, nullable, minLength };
}
