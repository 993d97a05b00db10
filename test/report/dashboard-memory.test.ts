import { describe, expect, it } from 'vitest';
import type { AuditAction } from '../../src/report/audit-row.js';
import { EMPTY_DASHBOARD, mergeDashboard, parseDashboardState, renderDashboard } from '../../src/report/dashboard.js';
import { renderResultsMarkdown, renderResultsTable } from '../../src/report/results-table.js';
import type { FileResult, RunReport } from '../../src/report/run-report.js';

const RUN = { at: '2026-12-04T10:00:00.000Z', trigger: 'schedule', actor: null, model: 'qwen', url: null };
const LATER = { ...RUN, at: '2026-12-05T10:00:00.000Z' };

function result(file: string, action: AuditAction, extra: Partial<FileResult> = {}): FileResult {
  return {
    file,
    action,
    reason: null,
    pr: null,
    branch: null,
    row: {
      ts: RUN.at,
      run_id: 'r1',
      trigger: 'schedule',
      actor: null,
      file,
      action,
      dry_run: false,
      review: { model: 'kimi', confidence_avg: 96, confidence_min: 80, tier: 'auto', reviewed_at: '2026-12-01' },
      patch_model: 'qwen',
      patches_applied: [],
      patches_rejected: [],
      check: { command: 'cargo check', exit_code: 101, duration_ms: 900, green: false, timed_out: false },
      branch: null,
      head_sha: null,
      pr: null,
      reason: null,
      error: null,
    },
    ...extra,
  };
}

function report(results: FileResult[]): RunReport {
  return { runId: 'r1', dryRun: false, forge: 'github', baseBranch: 'main', baseSha: 'a'.repeat(40), results, skipped: [], notProcessed: [], reviewRows: 1, malformedLines: 0, problems: [], durationMs: 1000 };
}

describe('the dashboard as failure memory', () => {
  it('records the input fingerprint of red, all-rejected and no-patches outcomes, and it survives the body', () => {
    const state = mergeDashboard(
      EMPTY_DASHBOARD,
      report([
        result('src/red.rs', 'build_red_reverted', { reason: 'E0308 mismatched types', input: 'fp-red' }),
        result('src/none.rs', 'no_patches', { reason: 'the model proposed nothing', input: 'fp-none' }),
        result('src/open.rs', 'pr_opened', { pr: { number: 3, url: 'https://x/3' }, input: 'fp-open' }),
      ]),
      RUN,
    );
    const parsed = parseDashboardState(renderDashboard(state, { maxLength: 60_000, runBox: false })).files;
    expect(parsed['src/red.rs']).toMatchObject({ section: 'red', input: 'fp-red', since: RUN.at });
    expect(parsed['src/none.rs']).toMatchObject({ section: 'rejected', input: 'fp-none' });
    // Only failures are remembered by their inputs (an open PR keeps its own in its body).
    expect(parsed['src/open.rs']?.input).toBeUndefined();
  });

  it('a known failure skipped this run keeps its section, its earlier reason and date', () => {
    const first = mergeDashboard(EMPTY_DASHBOARD, report([result('src/red.rs', 'build_red_reverted', { reason: 'E0308 mismatched types', input: 'fp-red' })]), RUN);
    const second = mergeDashboard(first, report([result('src/red.rs', 'skipped_known_failure', { reason: 'the check was red on 2026-12-04 …', input: 'fp-red' })]), LATER);
    expect(second.files['src/red.rs']).toEqual(first.files['src/red.rs']);
    expect(second.lastRun?.at).toBe(LATER.at);
  });

  it('the results table, the step summary and the comment reply name the outcome and the earlier reason', () => {
    const reason = 'the check was red on 2026-12-04 with these same inputs (E0308 mismatched types); tick its retry box to ask again';
    const done = report([result('src/red.rs', 'skipped_known_failure', { reason })]);
    for (const row of done.results) row.row = { ...row.row, check: null, reason };
    expect(renderResultsTable(done)).toMatch(/src\/red\.rs\s+skipped: failed before, inputs unchanged\s+the check was red on 2026-12-04/);
    expect(renderResultsMarkdown(done)).toContain('| `src/red.rs` | skipped: failed before, inputs unchanged |  | the check was red on 2026-12-04');
  });
});
