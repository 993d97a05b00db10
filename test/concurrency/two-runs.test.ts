import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/pipeline/run-types.js';
import { readAudit } from '../helpers/cli-harness.js';
import { git } from '../helpers/fixture-repo.js';
import { createRig, GREEN, type Rig } from './concurrency-rig.js';

/**
 * Two applied runs at once on one repository (two workflow runs, or a scheduled run while the
 * App works on it), each from its own checkout, over 6 green files. The stand-in holds every
 * answer until all 12 requests — both runs' — are in flight, so both have listed the PRs (none
 * yet) and both then race to push and open the same 6 branches. Measured before issue 16:
 * 0 duplicate PRs, 6 `error` outcomes (422 "already exists", rejected push leases).
 */
const FILES = 6;
let rig: Rig;
let reports: RunReport[];

beforeAll(async () => {
  rig = await createRig({
    crates: 2,
    modules: 3,
    config: { maxFiles: FILES, maxOpenPrs: 20 },
    answer: () => ({ content: GREEN, delayMs: 0 }),
    answerInRoundsOf: 2 * FILES,
  });
  const other = rig.clone('second-checkout');
  reports = await Promise.all([rig.run(FILES), rig.run(FILES, { repoDir: other })]);
}, 300_000);

afterAll(async () => {
  await rig?.close();
});

describe('two runs at once over 6 green files', () => {
  it('ran truly at once: all 12 LLM requests were in flight together', () => {
    expect(rig.repo.files).toHaveLength(FILES);
    expect(rig.maxInFlight()).toBe(2 * FILES);
  });

  it('0 duplicate PRs: one open PR per file, one bot branch per file', () => {
    const heads = rig.github.pulls().map((p) => p.head);
    expect(heads).toHaveLength(FILES);
    expect(new Set(heads).size).toBe(FILES);
    expect(git(rig.repo.origin, 'for-each-ref', '--format=%(refname)', 'refs/heads/scrum-apply/').trim().split('\n')).toHaveLength(FILES);
  });

  it('0 errors: per file one run opened the PR, the other reports what the concurrent run left', () => {
    const rows = readAudit(rig.auditPath);
    expect(rows).toHaveLength(2 * FILES);
    expect(rows.filter((r) => r.action === 'error').map((r) => r.error)).toEqual([]);
    for (const file of rig.repo.files) {
      const actions = reports.map((report) => report.results.find((r) => r.file === file)?.action).sort();
      expect(actions).toContain('pr_opened');
      expect(actions.filter((a) => a === 'pr_opened')).toHaveLength(1);
      const other = reports.map((report) => report.results.find((r) => r.file === file)).find((r) => r?.action !== 'pr_opened');
      expect(['pr_unchanged', 'pr_updated']).toContain(other?.action);
      expect(other?.reason).toMatch(/concurrent run/);
    }
    // Together: 6 opened, and 6 reports of what the concurrent run left (no error among the 12).
    const actions = rows.map((r) => r.action);
    expect(actions.filter((a) => a === 'pr_opened')).toHaveLength(FILES);
    expect(actions.filter((a) => a === 'pr_unchanged' || a === 'pr_updated')).toHaveLength(FILES);
  });
});
