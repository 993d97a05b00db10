import { describe, expect, it } from 'vitest';
import { hasStatsRowShape, StatsRow } from '../../src/stats/stats-row.js';
import { auditRow } from '../helpers/audit-rows.js';

/** The fast shape test must never accept what the schema refuses (it may refuse more: the schema then decides). */
describe('hasStatsRowShape agrees with the StatsRow schema', () => {
  const good = auditRow({ file: 'src/a.rs' }, { action: 'pr_opened', pr: 3, headSha: 'a'.repeat(40) });
  const variants: Array<[string, unknown]> = [
    ['a full row', good],
    ['a legacy row without head_sha', auditRow({ file: 'src/a.rs' }, { action: 'pr_opened', pr: 3, legacy: true })],
    ['no check', { ...good, check: null }],
    ['a future action', { ...good, action: 'pr_rebased' }],
    ['null', null],
    ['an array', [good]],
    ['a string', 'row'],
    ['ts missing', { ...good, ts: undefined }],
    ['file a number', { ...good, file: 7 }],
    ['review missing', { ...good, review: undefined }],
    ['review confidence a string', { ...good, review: { ...(good.review as object), confidence_avg: '95' } }],
    ['review confidence infinite (1e999)', { ...good, review: { ...(good.review as object), confidence_avg: Number.POSITIVE_INFINITY } }],
    ['patch confidence missing', { ...good, patches_applied: [{ rationale: 'x' }] }],
    ['patches_applied an object', { ...good, patches_applied: {} }],
    ['patches_rejected missing', { ...good, patches_rejected: undefined }],
    ['check green a string', { ...good, check: { green: 'yes' } }],
    ['check a string', { ...good, check: 'green' }],
    ['pr number zero', { ...good, pr: { number: 0, url: '' } }],
    ['pr number fractional', { ...good, pr: { number: 1.5, url: '' } }],
    ['pr an array', { ...good, pr: [] }],
    ['branch a number', { ...good, branch: 1 }],
    ['head_sha a number', { ...good, head_sha: 1 }],
  ];

  it.each(variants)('%s', (_name, value) => {
    const schema = StatsRow.safeParse(value).success;
    const fast = hasStatsRowShape(value);
    if (fast) expect(schema).toBe(true);
    // On these inputs the two agree outright: the fast path is not just "always false".
    expect(fast).toBe(schema);
  });
});
