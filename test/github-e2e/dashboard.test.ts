import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkReason } from '../../src/report/audit-row.js';
import { tableCell } from '../../src/report/markdown-text.js';
import { dashboardSections, mockCreateIssue, mockListIssues, sentDashboardBody } from '../helpers/dashboard-mocks.js';
import { branchOf, createE2eRig, FORMAT, mockCreatePullFor, NO_PATCHES, pullsAfter, record, RED, REJECTED, SHAPES, type E2eRig } from '../helpers/github-e2e.js';
import { FORMAT_LABELS, SHAPES_LABELS } from '../helpers/github-e2e-expect.js';
import { mockAddLabels, mockCreateLabel, mockListLabels, mockListPulls, type GitHubMock } from '../helpers/github-mocks.js';

const NUMBERS: Record<string, number> = { [branchOf(SHAPES)]: 1, [branchOf(FORMAT)]: 2 };
const numberOfHead = (head: string) => NUMBERS[head] ?? 0;
/** A scheduled workflow run: the dashboard links to it. */
const WORKFLOW = { GITHUB_SERVER_URL: 'https://github.com', GITHUB_RUN_ID: '4242', GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: 'schedule', GITHUB_ACTOR: 'octocat' };

let rig: E2eRig;
beforeEach(async () => {
  rig = await createE2eRig();
});
afterEach(async () => {
  await rig.close();
});

function mockFirstRun(): GitHubMock {
  const mock = rig.newMock();
  mockListPulls(mock, [[]]);
  mockListLabels(mock, []);
  mockCreateLabel(mock, { times: new Set([...SHAPES_LABELS, ...FORMAT_LABELS]).size });
  mockCreatePullFor(mock, branchOf(SHAPES), 1);
  mockCreatePullFor(mock, branchOf(FORMAT), 2);
  mockAddLabels(mock, 1);
  mockAddLabels(mock, 2);
  return mock;
}

/** How often each file's path appears as a listed file across the sections. */
function placements(body: string, files: string[]): Record<string, string[]> {
  const sections = dashboardSections(body);
  return Object.fromEntries(files.map((file) => [file, [...sections].filter(([, text]) => text.includes(`\`${file}\``)).map(([heading]) => heading)]));
}

describe('the dashboard issue after scrum-apply run --apply --forge github', () => {
  it('the first applied run opens it with every selected file in exactly one section; an unchanged re-run writes nothing; a person’s closed one stays closed', async () => {
    const first = mockFirstRun();
    mockListIssues(first, 'scrum-apply', [[]]);
    mockCreateIssue(first, 50);
    const result = await rig.run([], WORKFLOW);
    expect(result.code).toBe(0);
    first.done();

    // One new issue: the configured title, the bot's label (created once in this run, for the PRs).
    const created = first.writes().filter((r) => r.path === '/repos/octo/demo/issues');
    expect(created).toHaveLength(1);
    expect(record(created[0]?.body)).toMatchObject({ title: 'scrum-apply dashboard', labels: ['scrum-apply'] });
    expect(first.writes().filter((r) => r.path === '/repos/octo/demo/labels' && record(r.body).name === 'scrum-apply')).toHaveLength(1);
    const body = sentDashboardBody(first.requests) ?? '';
    expect(body.length).toBeLessThanOrEqual(60_000);

    // Every selected file in exactly one section, the right one.
    expect(placements(body, [SHAPES, FORMAT, RED, REJECTED, NO_PATCHES])).toEqual({
      [SHAPES]: ['Open PRs'],
      [FORMAT]: ['Open PRs'],
      [RED]: ['Red: the check failed'],
      [REJECTED]: ['All patches rejected, or no patches'],
      [NO_PATCHES]: ['All patches rejected, or no patches'],
    });
    const sections = dashboardSections(body);
    expect(sections.get('Open PRs')).toContain(`- [ ] <!-- scrum-apply:rebuild ${encodeURIComponent(SHAPES)} --> rebuild \`${SHAPES}\` — [#1](https://github.com/octo/demo/pull/1) · confidence 96 · check green`);
    // The red file shows the first compiler error its audit row kept: code, message, file:line.
    const red = rig.lastRun().get(RED);
    const firstError = red?.check?.errors?.[0];
    expect(firstError?.code).toMatch(/^E\d{4}$/u);
    expect(sections.get('Red: the check failed')).toContain(`- [ ] <!-- scrum-apply:retry ${encodeURIComponent(RED)} --> retry \`${RED}\`: ${tableCell(checkReason(red?.check ?? { command: '', exit_code: 1, duration_ms: 0, green: false, timed_out: false }), 200)}`);
    expect(sections.get('Red: the check failed')).toContain(`${firstError?.file}:${firstError?.line}`);
    expect(sections.get('Red: the check failed')).toContain('- [ ] <!-- scrum-apply:retry-red --> Retry all red');
    // The last run, with its workflow link; the CLI shows no "Run now" box (nothing listens for it).
    expect(body).toMatch(/^Last run: \S+ \(schedule by `octocat`\) on [0-9a-f]{12}, \d+ s, model `qwen3-coder:480b` — \[workflow run\]\(https:\/\/github\.com\/octo\/demo\/actions\/runs\/4242\)$/mu);
    expect(body).not.toContain('scrum-apply:run-now');
    expect(body).toContain('### Trust funnel');

    // The same inputs again: the same body but for the run's time and figures — no write at all.
    const second = rig.newMock();
    mockListPulls(second, [pullsAfter(first, numberOfHead)]);
    mockListIssues(second, 'scrum-apply', [[{ number: 50, body }]]);
    expect((await rig.run([], WORKFLOW)).code).toBe(0);
    second.done();
    expect(second.writes()).toEqual([]);

    // A person closed it: it stays closed and no other is opened.
    const third = rig.newMock();
    mockListPulls(third, [pullsAfter(first, numberOfHead)]);
    mockListIssues(third, 'scrum-apply', [[{ number: 50, body, state: 'closed' }]]);
    const closed = await rig.run([], WORKFLOW);
    expect(closed.code).toBe(0);
    third.done();
    expect(third.writes()).toEqual([]);
    expect(closed.stderr).toContain('closed by a person; left closed');
  });
});
