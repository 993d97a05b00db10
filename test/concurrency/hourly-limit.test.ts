import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_DASHBOARD, mergeDashboard } from '../../src/report/dashboard.js';
import type { RunReport } from '../../src/pipeline/run-types.js';
import { createRig, GREEN, type Rig } from './concurrency-rig.js';

/**
 * prHourlyLimit holds across separate runs: it counts the bot's PRs by the creation times in
 * the forge's PR list, not what one process remembers. Two earlier runs opened PRs — one two
 * hours ago, two ten minutes ago — and this run, with prHourlyLimit 3, may open one more; the
 * files after it wait, with the reason.
 */
const HOUR = 3600_000;
let clock = Date.now() - 2 * HOUR;
let rig: Rig;
let report: RunReport;

beforeAll(async () => {
  rig = await createRig({ crates: 2, modules: 3, config: { maxFiles: 6, maxOpenPrs: 20 }, answer: () => ({ content: GREEN, delayMs: 0 }), now: () => new Date(clock) });
  const [a, b, c] = rig.repo.files;
  if (a === undefined || b === undefined || c === undefined) throw new Error('the bench has too few files');
  // Earlier runs, each a process of its own: two hours ago, and ten minutes ago.
  expect((await rig.run(2, { only: [a] })).results.map((r) => r.action)).toEqual(['pr_opened']);
  clock = Date.now() - 10 * 60_000;
  expect((await rig.run(2, { only: [b, c], repoDir: rig.clone('earlier') })).results.map((r) => r.action)).toEqual(['pr_opened', 'pr_opened']);
  clock = Date.now();
  report = await rig.run(2, { config: { prHourlyLimit: 3 }, repoDir: rig.clone('now') });
}, 240_000);

afterAll(async () => {
  await rig?.close();
});

describe('prHourlyLimit counted from the forge’s PR list, across runs', () => {
  it('the PRs opened in the last hour by earlier runs count; the one from two hours ago does not', () => {
    expect(report.results.map((r) => r.file)).toEqual(rig.repo.files);
    expect(report.results.map((r) => r.action)).toEqual(['pr_unchanged', 'pr_unchanged', 'pr_unchanged', 'pr_opened', 'skipped_pr_hourly_limit', 'skipped_pr_hourly_limit']);
    for (const held of report.results.slice(4)) {
      expect(held.reason).toBe('3 scrum-apply PRs were opened in the last hour (prHourlyLimit is 3)');
    }
    expect(rig.github.pulls()).toHaveLength(4);
  });

  it('the files held back are reported waiting, with the reason', () => {
    const dashboard = mergeDashboard(EMPTY_DASHBOARD, report, { at: '2026-12-04T00:00:00Z', trigger: 'cli', actor: null, model: 'm', url: null });
    for (const held of report.results.slice(4)) {
      expect(dashboard.files[held.file]).toMatchObject({ section: 'waiting', detail: expect.stringContaining('prHourlyLimit is 3') });
    }
  });
});
