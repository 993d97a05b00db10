import { afterEach, describe, expect, it } from 'vitest';
import { planDashboardActions } from '../../src/pipeline/plan-dashboard-actions.js';
import type { RunOptions } from '../../src/pipeline/run-types.js';
import { tickedBoxes } from '../../src/report/dashboard.js';
import { markQueued, newlyTickedBoxes } from '../../src/report/dashboard-boxes.js';
import { mockEditIssue, mockListIssues } from '../helpers/dashboard-mocks.js';
import { record } from '../helpers/github-e2e.js';
import { mockCreateComment, mockGetRepo, mockPermission, mockReaction } from '../helpers/github-mocks.js';
import { DASHBOARD_ISSUE, DECLINED_FILE, OPEN_FILE, RED_FILE, dashboardBody, githubIssueEditPayload, tick, type IssueEditOptions } from './dashboard-edit-fixtures.js';
import { createAppHarness, postedComments, type AppHarness } from './probot-harness.js';

let h: AppHarness | null = null;
afterEach(() => {
  h?.close();
  h = null;
});

let deliveries = 0;
function receiveEdit(harness: AppHarness, options: IssueEditOptions, deliveryId = `edit-${(deliveries += 1)}`): Promise<void> {
  // Probot's receive takes the typed event union; the example payload is plain JSON.
  return harness.probot.receive({ name: 'issues', id: deliveryId, payload: githubIssueEditPayload(options) as never });
}

/** GitHub's answer: the base level, and the role (maintain, triage) on top. */
function permission(level: string, role = level) {
  return { payload: { permission: level, role_name: role, user: { login: 'octocat' } } };
}

function onlyCall(harness: AppHarness): RunOptions {
  expect(harness.pipelineCalls).toHaveLength(1);
  const call = harness.pipelineCalls[0];
  if (call === undefined) throw new Error('the pipeline was not called');
  return call;
}

/** The bodies the app wrote to the dashboard: the queued mark, then the run's rewrite. */
function dashboardEdits(harness: AppHarness): string[] {
  return harness.mock.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/issues/${DASHBOARD_ISSUE}`)).map((r) => String(record(r.body).body));
}

function queuedBody(harness: AppHarness): string {
  const [queued] = dashboardEdits(harness);
  if (queued === undefined) throw new Error('the boxes were not marked queued');
  return queued;
}

/** An accepted edit: the permission, the queued mark, and the job (default branch, the dashboard read before the run and written after). */
function mockAccepted(harness: AppHarness, ticked: string, level: [string, string?]): void {
  mockPermission(harness.mock, 'octocat', permission(...level));
  mockEditIssue(harness.mock, DASHBOARD_ISSUE);
  mockGetRepo(harness.mock);
  mockListIssues(harness.mock, 'scrum-apply', [[{ number: DASHBOARD_ISSUE, body: markQueued(ticked, newlyTickedBoxes(null, ticked)) }]]);
  mockEditIssue(harness.mock, DASHBOARD_ISSUE);
}

const BODY = dashboardBody();

describe('boxes ticked on the dashboard issue (GitHub App, issues.edited)', () => {
  it('a maintainer ticks "retry" on a red file: one job for that file only, the box shows "queued", no comment', async () => {
    h = await createAppHarness();
    const ticked = tick(BODY, `retry ${RED_FILE}`);
    mockAccepted(h, ticked, ['write', 'maintain']);
    await receiveEdit(h, { body: ticked, from: BODY });
    await h.runtime.service.onIdle();

    const call = onlyCall(h);
    expect(call).toMatchObject({ apply: true, force: false, trigger: 'comment', actor: 'octocat', only: [] });
    expect(call.dashboard?.actions).toEqual([{ type: 'retry', file: RED_FILE }]);
    expect(planDashboardActions(call.dashboard, call).only).toEqual([RED_FILE]);
    // The dashboard read before the run is the run's memory.
    expect(call.dashboard?.memory[RED_FILE]).toMatchObject({ section: 'red' });
    const queued = queuedBody(h);
    expect(queued).toContain(`- [x] <!-- scrum-apply:retry ${encodeURIComponent(RED_FILE)} --> retry`);
    expect(queued.split('\n').filter((line) => line.endsWith(' — queued'))).toHaveLength(1);
    // Still the same ticked box to anyone reading the body.
    expect(tickedBoxes(queued)).toEqual([{ type: 'retry', file: RED_FILE }]);
    expect(postedComments(h.mock)).toEqual([]);
    // The run rewrote the dashboard: the box is clear again, and the red file still remembered.
    const rewritten = dashboardEdits(h).at(-1) ?? '';
    expect(dashboardEdits(h)).toHaveLength(2);
    expect(tickedBoxes(rewritten)).toEqual([]);
    expect(rewritten).not.toContain('queued');
    expect(rewritten).toContain(`- [ ] <!-- scrum-apply:retry ${encodeURIComponent(RED_FILE)} -->`);
    h.mock.done();
    expect(h.unmatched).toEqual([]);
  });

  it('rebuild, allow, retry-red and run-now ticked at once become one job with those actions', async () => {
    h = await createAppHarness();
    const ticked = tick(BODY, `rebuild ${OPEN_FILE}`, `allow ${DECLINED_FILE}`, 'retry-red', 'run-now');
    mockAccepted(h, ticked, ['admin']);
    await receiveEdit(h, { body: ticked, from: BODY });
    await h.runtime.service.onIdle();
    expect(onlyCall(h).dashboard?.actions).toEqual([{ type: 'run-now' }, { type: 'rebuild', file: OPEN_FILE }, { type: 'retry-red' }, { type: 'allow', file: DECLINED_FILE }]);
    expect(queuedBody(h).split('\n').filter((line) => line.endsWith(' — queued'))).toHaveLength(4);
    h.mock.done();
  });

  it.each([
    ['read-only', { payload: permission('read').payload }],
    ['triage', { payload: permission('read', 'triage').payload }],
    ['unknown (the permission API fails)', { status: 500, payload: { message: 'Server Error' } }],
  ])('a %s user ticks a box: nothing runs, nothing is written, nobody is answered', async (_who, reply) => {
    h = await createAppHarness();
    mockPermission(h.mock, 'octocat', reply);
    await receiveEdit(h, { body: tick(BODY, `retry ${RED_FILE}`), from: BODY });
    await h.runtime.service.onIdle();
    expect(h.pipelineCalls).toEqual([]);
    expect(h.mock.writes()).toEqual([]);
    expect(h.lines.some((line) => line.includes('dashboard boxes refused'))).toBe(true);
    h.mock.done();
    expect(h.unmatched).toEqual([]);
  });

  it('ignores, without one API call: the bot\'s own edits, other issues, boxes ticked before, and unticking', async () => {
    h = await createAppHarness();
    const ticked = tick(BODY, `retry ${RED_FILE}`);
    await receiveEdit(h, { body: ticked, from: BODY, login: 'scrum-apply[bot]', userType: 'Bot' });
    await receiveEdit(h, { body: '- [x] <!-- scrum-apply:run-now --> a look-alike without the marker', from: '' });
    await receiveEdit(h, { body: ticked, from: ticked });
    await receiveEdit(h, { body: BODY, from: ticked });
    await h.runtime.service.onIdle();
    expect(h.pipelineCalls).toEqual([]);
    expect(h.mock.requests).toEqual([]);
  });

  it('without changes.body every ticked box counts as new, except those already queued', async () => {
    h = await createAppHarness();
    const queued = tick(BODY, `retry ${RED_FILE}`).replace(/^(- \[x\] .*)$/mu, '$1 — queued');
    mockAccepted(h, tick(queued, 'run-now'), ['write']);
    await receiveEdit(h, { body: tick(queued, 'run-now') });
    await h.runtime.service.onIdle();
    expect(onlyCall(h).dashboard?.actions).toEqual([{ type: 'run-now' }]);
    h.mock.done();
  });

  it('runs a redelivered edit once', async () => {
    h = await createAppHarness();
    mockAccepted(h, tick(BODY, `retry ${RED_FILE}`), ['write']);
    await receiveEdit(h, { body: tick(BODY, `retry ${RED_FILE}`), from: BODY }, 'same-edit');
    await h.runtime.service.onIdle();
    await receiveEdit(h, { body: tick(BODY, `retry ${RED_FILE}`), from: BODY }, 'same-edit');
    await h.runtime.service.onIdle();
    expect(h.pipelineCalls).toHaveLength(1);
    h.mock.done();
    expect(h.unmatched).toEqual([]);
  });

  it('/scrum-apply <path> asks again for that path although it failed before (a retry), with the dashboard as memory', async () => {
    h = await createAppHarness();
    mockPermission(h.mock, 'octocat', permission('write'));
    mockReaction(h.mock, 4242);
    mockGetRepo(h.mock);
    // The stand-in run's results are what the dashboard already shows: read, not written.
    mockListIssues(h.mock, 'scrum-apply', [[{ number: DASHBOARD_ISSUE, body: BODY }]]);
    mockCreateComment(h.mock, 7, 900);
    await h.receive({ body: `/scrum-apply ${RED_FILE}`, commentId: 4242, issueNumber: 7 });
    await h.runtime.service.onIdle();
    const call = onlyCall(h);
    expect(call.only).toEqual([RED_FILE]);
    expect(call.dashboard?.actions).toEqual([{ type: 'retry', file: RED_FILE }]);
    expect(call.dashboard?.memory[RED_FILE]).toMatchObject({ section: 'red' });
    expect(postedComments(h.mock)).toHaveLength(1);
    h.mock.done();
  });
});
