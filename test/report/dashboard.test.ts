import { describe, expect, it } from 'vitest';
import type { AuditAction, AuditRow } from '../../src/report/audit-row.js';
import { dashboardChanged, EMPTY_DASHBOARD, mergeDashboard, parseDashboardState, renderDashboard, tickedBoxes } from '../../src/report/dashboard.js';
import type { FileResult, RunReport } from '../../src/report/run-report.js';

const RUN = { at: '2026-12-04T10:00:00.000Z', trigger: 'schedule', actor: null, model: 'qwen3-coder:480b', url: 'https://github.com/acme/widgets/actions/runs/7' };

function result(file: string, action: AuditAction, extra: Partial<FileResult> = {}, row: Partial<AuditRow> = {}): FileResult {
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
      check: null,
      branch: null,
      head_sha: null,
      pr: null,
      reason: null,
      error: null,
      ...row,
    },
    ...extra,
  };
}

function report(results: FileResult[], extra: Partial<RunReport> = {}): RunReport {
  return {
    runId: 'r1',
    dryRun: false,
    forge: 'github',
    baseBranch: 'main',
    baseSha: 'a'.repeat(40),
    results,
    skipped: [
      { file: 'docs/x.rs', reason: 'denied by "docs/"' },
      { file: 'src/gone.rs', reason: 'not tracked at abc' },
      { file: 'ops/y.rs', reason: 'denied by "ops/"' },
    ],
    notProcessed: [{ file: 'src/later.rs', reason: 'maxFiles (5) reached' }],
    reviewRows: 10,
    malformedLines: 0,
    problems: [],
    durationMs: 61_000,
    ...extra,
  };
}

const RESULTS = [
  result('src/open.rs', 'pr_opened', { pr: { number: 12, url: 'https://github.com/acme/widgets/pull/12' } }),
  result('src/red.rs', 'build_red_reverted', { reason: 'E0063 missing field `crlf` in initializer (src/red.rs:212)' }, { check: { command: 'cargo check', exit_code: 101, duration_ms: 900, green: false, timed_out: false, errors: [{ code: 'E0063', message: 'missing field `crlf` in initializer', file: 'src/red.rs', line: 212 }] } }),
  result('src/rejected.rs', 'all_rejected', {}, { patches_rejected: [{ reason: 'old_string not found', rationale: 'x', confidence: 95 }] }),
  result('src/declined.rs', 'skipped_closed_pr', { reason: 'PR #9 was closed without merging', pr: { number: 9, url: 'https://github.com/acme/widgets/pull/9' } }),
  result('src/dry.rs', 'dry_run_committed'),
];

describe('the dashboard', () => {
  it('puts every selected file in exactly one section, with its data and a box to act', () => {
    const state = mergeDashboard(EMPTY_DASHBOARD, report(RESULTS), RUN);
    const body = renderDashboard(state, { maxLength: 60_000, runBox: true });
    expect(Object.fromEntries(Object.entries(state.files).map(([file, entry]) => [file, entry.section]))).toEqual({
      'src/open.rs': 'open',
      'src/red.rs': 'red',
      'src/rejected.rs': 'rejected',
      'src/declined.rs': 'declined',
      'src/later.rs': 'waiting',
    });
    expect(body).toContain('- [ ] <!-- scrum-apply:rebuild src%2Fopen.rs --> rebuild `src/open.rs` — [#12](https://github.com/acme/widgets/pull/12)');
    expect(body).toContain('- [ ] <!-- scrum-apply:retry src%2Fred.rs --> retry `src/red.rs`: E0063 missing field `crlf` in initializer (src/red.rs:212)');
    expect(body).toContain('<!-- scrum-apply:allow src%2Fdeclined.rs -->');
    expect(body).toContain('- `src/later.rs`: maxFiles (5) reached');
    expect(body).toContain('- [ ] <!-- scrum-apply:run-now --> Run scrum-apply now');
    expect(body).toContain('- [ ] <!-- scrum-apply:retry-red --> Retry all red');
    expect(body).toContain('Not eligible (3)');
    expect(body).toContain('- denied path: 2');
    expect(body).toContain('- not tracked at the base: 1');
    expect(body).toContain('[workflow run](https://github.com/acme/widgets/actions/runs/7)');
    // Checkboxes only ever stand in list items, one per line.
    for (const line of body.split('\n').filter((l) => l.includes('[ ]'))) expect(line.startsWith('- [ ] ')).toBe(true);
  });

  it('keeps its state in the body: the next run merges into it, and an unchanged run renders the same body', () => {
    const first = renderDashboard(mergeDashboard(EMPTY_DASHBOARD, report(RESULTS), RUN), { maxLength: 60_000, runBox: false });
    const previous = parseDashboardState(first);
    expect(previous.files['src/red.rs']?.since).toBe(RUN.at);
    // A later run that only retried the red file, still red for the same reason: nothing else changes.
    const later = { ...RUN, at: '2026-12-05T10:00:00.000Z' };
    const second = mergeDashboard(previous, report([RESULTS[1] as FileResult]), later);
    expect(second.files['src/open.rs']).toEqual(previous.files['src/open.rs']);
    expect(second.files['src/red.rs']?.since).toBe(RUN.at);
    expect(dashboardChanged(first, renderDashboard(second, { maxLength: 60_000, runBox: false }))).toBe(false);
    // A file that went green changes it.
    const fixed = mergeDashboard(previous, report([result('src/red.rs', 'pr_opened', { pr: { number: 13, url: 'https://github.com/acme/widgets/pull/13' } })]), later);
    expect(dashboardChanged(first, renderDashboard(fixed, { maxLength: 60_000, runBox: false }))).toBe(true);
    expect(parseDashboardState('a body a person wrote')).toEqual(EMPTY_DASHBOARD);
    // A file that is no longer eligible leaves its section (it is counted under "Not eligible").
    const ineligible = mergeDashboard(previous, report([], { skipped: [{ file: 'src/red.rs', reason: 'confidence_avg 80 < 90' }] }), later);
    expect(ineligible.files['src/red.rs']).toBeUndefined();
    expect(ineligible.notEligible).toEqual({ 'confidence below the minimum': 1 });
    // A file whose obsolete PR the bot closed leaves the dashboard.
    expect(mergeDashboard(previous, report([result('src/open.rs', 'pr_closed_obsolete')]), later).files['src/open.rs']).toBeUndefined();
  });

  it('reads which boxes a person ticked', () => {
    const body = renderDashboard(mergeDashboard(EMPTY_DASHBOARD, report(RESULTS), RUN), { maxLength: 60_000, runBox: true });
    const ticked = body
      .replace('- [ ] <!-- scrum-apply:retry src%2Fred.rs -->', '- [x] <!-- scrum-apply:retry src%2Fred.rs -->')
      .replace('- [ ] <!-- scrum-apply:run-now -->', '- [X] <!-- scrum-apply:run-now -->')
      .replace('- [ ] <!-- scrum-apply:allow src%2Fdeclined.rs -->', '- [x] <!-- scrum-apply:allow src%2Fdeclined.rs -->');
    expect(tickedBoxes(body)).toEqual([]);
    expect(tickedBoxes(ticked)).toEqual([{ type: 'run-now' }, { type: 'retry', file: 'src/red.rs' }, { type: 'allow', file: 'src/declined.rs' }]);
  });

  it('fits the forge limit by shortening the least useful sections first, never the open PRs or the run box', () => {
    const many = Array.from({ length: 400 }, (_, i) => result(`src/waiting_${String(i).padStart(3, '0')}.rs`, 'skipped_open_pr_limit', { reason: 'maxOpenPrs reached' }));
    const open = Array.from({ length: 20 }, (_, i) => result(`src/open_${i}.rs`, 'pr_opened', { pr: { number: i + 1, url: `https://github.com/acme/widgets/pull/${i + 1}` } }));
    const body = renderDashboard(mergeDashboard(EMPTY_DASHBOARD, report([...open, ...many]), RUN), { maxLength: 8_000, runBox: true });
    expect(body.length).toBeLessThanOrEqual(8_000);
    expect(body).toMatch(/- … and \d+ more/u);
    expect(body.match(/scrum-apply:rebuild/gu)).toHaveLength(20);
    expect(body).toContain('scrum-apply:run-now');
    // The state keeps every file a later run needs history for (waiting files are listed anew by each run).
    const kept = parseDashboardState(body).files;
    expect(Object.keys(kept).filter((file) => file.startsWith('src/open_'))).toHaveLength(20);
  });
});
