import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRow } from '../../src/report/audit-row.js';
import { parsePrMeta } from '../../src/report/pr-meta.js';
import type { RunReport } from '../../src/pipeline/run-types.js';
import { readAudit } from '../helpers/cli-harness.js';
import { git } from '../helpers/fixture-repo.js';
import { createRig, GREEN, LOW_CONFIDENCE, NO_PATCHES, RED, type Answer, type Rig } from './concurrency-rig.js';

/**
 * The same review log and answers at --concurrency 1 and 4 must give the same PRs, branches
 * and audit rows, although at 4 the files finish in another order: the first three answers
 * are slow, the rest fast, so files 4, 6 and 7 are checked and ready to publish long before
 * files 0 and 2 — yet with maxOpenPrs 4 it is still file 7, the last in selection order,
 * that finds the limit reached.
 */
const ANSWERS = [GREEN, RED, GREEN, NO_PATCHES, GREEN, LOW_CONFIDENCE, GREEN, GREEN];
const answer = (_file: string, index: number): Answer => ({ content: ANSWERS[index] ?? NO_PATCHES, delayMs: index < 3 ? 2500 - index * 200 : 100 });
const CONFIG = { maxFiles: 8, maxOpenPrs: 4 };

interface Outcome {
  report: RunReport;
  rows: AuditRow[];
  maxInFlight: number;
  rig: Rig;
}

let sequential: Outcome;
let concurrent: Outcome;

async function runWith(concurrency: number): Promise<Outcome> {
  const rig = await createRig({ crates: 2, modules: 4, config: CONFIG, answer });
  const report = await rig.run(concurrency);
  return { report, rows: readAudit(rig.auditPath), maxInFlight: rig.maxInFlight(), rig };
}

beforeAll(async () => {
  sequential = await runWith(1);
  concurrent = await runWith(4);
}, 240_000);

afterAll(async () => {
  await sequential?.rig.close();
  await concurrent?.rig.close();
});

/** An audit row without what legitimately differs between runs (a commit's id has its time); the PR by its branch. */
function comparable(row: AuditRow, rig: Rig): Record<string, unknown> {
  const { ts: _ts, run_id: _run, check, pr, head_sha: headSha, ...rest } = row;
  const head = pr === null ? null : (rig.github.pulls().find((p) => p.number === pr.number)?.head ?? 'unknown PR');
  return { ...rest, check: check === null ? null : { ...check, duration_ms: 'any' }, pr: head, head_sha: headSha === null ? null : 'a commit' };
}

function pullsOf(rig: Rig) {
  return rig.github
    .pulls()
    .map((p) => ({ head: p.head, base: p.base, title: p.title, state: p.state, labels: [...p.labels].sort(), meta: { ...parsePrMeta(p.body), base: 'any', run: 'any' } }))
    .sort((a, b) => a.head.localeCompare(b.head));
}

function branchTrees(rig: Rig): string {
  return git(rig.repo.origin, 'for-each-ref', '--format=%(refname) %(tree)', 'refs/heads/scrum-apply/');
}

describe('--concurrency 1 and 4 give the same result', () => {
  it('runs as configured: one LLM request at a time, then up to four', () => {
    expect(sequential.maxInFlight).toBe(1);
    expect(concurrent.maxInFlight).toBe(4);
    // At 4 the files really finished out of order.
    const finished = [...concurrent.rows].map((r) => r.file);
    expect(finished).not.toEqual(concurrent.rig.repo.files);
    expect(sequential.rows.map((r) => r.file)).toEqual(sequential.rig.repo.files);
  });

  it('every file gets the expected outcome, maxOpenPrs judged in selection order', () => {
    const expected = ['pr_opened', 'build_red_reverted', 'pr_opened', 'no_patches', 'pr_opened', 'all_rejected', 'pr_opened', 'skipped_open_pr_limit'];
    for (const outcome of [sequential, concurrent]) {
      expect(outcome.report.results.map((r) => r.file)).toEqual(outcome.rig.repo.files);
      expect(outcome.report.results.map((r) => r.action)).toEqual(expected);
    }
  });

  it('the same audit rows, apart from times, run ids and PR numbers', () => {
    const byFile = (o: Outcome) =>
      [...o.rows].sort((a, b) => a.file.localeCompare(b.file)).map((row) => comparable(row, o.rig));
    expect(byFile(concurrent)).toEqual(byFile(sequential));
    expect(concurrent.report.results.map((r) => comparable(r.row, concurrent.rig))).toEqual(
      sequential.report.results.map((r) => comparable(r.row, sequential.rig)),
    );
  });

  it('the same PRs (title, labels, patch) and the same branch contents on the remote', () => {
    expect(pullsOf(concurrent.rig)).toEqual(pullsOf(sequential.rig));
    expect(pullsOf(sequential.rig)).toHaveLength(4);
    expect(branchTrees(concurrent.rig)).toBe(branchTrees(sequential.rig));
    expect(branchTrees(sequential.rig).trim().split('\n')).toHaveLength(4);
  });

  it('at 4, LLM requests were in flight while checks ran; at 1, never', () => {
    const overlapping = (report: RunReport) =>
      report.results.some((a) => a.timing?.llm && report.results.some((b) => b.timing?.check && a.timing?.llm && b.timing.check.startMs < a.timing.llm.endMs && a.timing.llm.startMs < b.timing.check.endMs));
    expect(overlapping(concurrent.report)).toBe(true);
    expect(overlapping(sequential.report)).toBe(false);
  });
});
