import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { planDashboardActions } from '../../src/pipeline/plan-dashboard-actions.js';
import type { RunOptions } from '../../src/pipeline/run-types.js';
import { tickedBoxes } from '../../src/report/dashboard.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { markQueued, newlyTickedBoxes } from '../../src/report/dashboard-boxes.js';
import { createGiteaIssueMock, mockGiteaEditIssue, mockGiteaListIssues, type GiteaIssueMock } from '../helpers/dashboard-mocks.js';
import type { FixtureRepo } from '../helpers/fixture-repo.js';
import { captureLogger } from '../helpers/github-mocks.js';
import { GITEA_TOKEN, GITEA_URL } from '../helpers/gitea-mocks.js';
import { fakeReport, servedFixture } from './app-fixtures.js';
import { DASHBOARD_ISSUE, DECLINED_FILE, RED_FILE, dashboardBody, giteaIssueEditPayload, tick, type IssueEditOptions } from './dashboard-edit-fixtures.js';

const SECRET = 'gitea-webhook-secret-dash-41';

interface Rig {
  server: RunningServer;
  repo: FixtureRepo;
  calls: RunOptions[];
  lines: string[];
  mock: GiteaIssueMock;
}

let rig: Rig | null = null;
afterEach(async () => {
  await rig?.server.close();
  rig?.repo.cleanup();
  rig = null;
  nock.cleanAll();
  nock.enableNetConnect();
});

async function start(): Promise<Rig> {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  const { repo, base } = servedFixture();
  const dataDir = join(repo.root, 'data');
  const { logger, lines } = captureLogger([GITEA_TOKEN, SECRET]);
  const calls: RunOptions[] = [];
  const env = { HOST: '127.0.0.1', PORT: '0', SCRUM_APPLY_LLM_URL: 'http://127.0.0.1:9/v1', SCRUM_APPLY_DATA_DIR: dataDir, SCRUM_APPLY_GIT_BASE_URL: base, GITEA_URL, GITEA_TOKEN, GITEA_WEBHOOK_SECRET: SECRET };
  const server = await startServer(env, {
    logger,
    runPipeline: async (options) => {
      calls.push(options);
      return fakeReport({ forge: 'gitea' });
    },
  });
  return { server, repo, calls, lines, mock: createGiteaIssueMock() };
}

async function deliverEdit(r: Rig, options: IssueEditOptions, delivery: string = crypto.randomUUID()): Promise<{ status: number; message: string }> {
  const body = JSON.stringify(giteaIssueEditPayload(options));
  const headers = { 'content-type': 'application/json', 'x-gitea-event': 'issues', 'x-gitea-delivery': delivery, 'x-gitea-signature': createHmac('sha256', SECRET).update(body).digest('hex') };
  const response = await fetch(`${r.server.url}/api/gitea/webhook`, { method: 'POST', headers, body });
  const json: unknown = await response.json();
  return { status: response.status, message: typeof json === 'object' && json !== null && 'message' in json ? String(json.message) : '' };
}

function mockPermission(r: Rig, permission: string): void {
  r.mock.scope.get(`${r.mock.api}/collaborators/maintainer/permission`).reply(200, { permission, role_name: permission, user: { id: 3, login: 'maintainer' } });
}

function mockRepo(r: Rig): void {
  r.mock.scope.get(r.mock.api).reply(200, { id: 7, name: 'widgets', full_name: 'acme/widgets', default_branch: 'main' });
}

/** An accepted edit: the permission, the queued mark, and the job (default branch, the dashboard read before the run and written after). */
function mockAccepted(r: Rig, ticked: string, permission: string): void {
  mockPermission(r, permission);
  mockGiteaEditIssue(r.mock, DASHBOARD_ISSUE);
  mockRepo(r);
  mockGiteaListIssues(r.mock, 'scrum-apply', [[{ number: DASHBOARD_ISSUE, body: markQueued(ticked, newlyTickedBoxes(null, ticked)) }]]);
  mockGiteaEditIssue(r.mock, DASHBOARD_ISSUE);
}

function editedBodies(r: Rig): string[] {
  return r.mock.writes().map((w) => {
    const body: unknown = w.body;
    return typeof body === 'object' && body !== null && 'body' in body ? String(body.body) : '';
  });
}

const BODY = dashboardBody();

describe('boxes ticked on the dashboard issue (Gitea server, issues webhook, action edited)', () => {
  it('a maintainer ticks "retry" on a red file: one job for that file only, the box shows "queued"', async () => {
    rig = await start();
    const ticked = tick(BODY, `retry ${RED_FILE}`);
    mockAccepted(rig, ticked, 'write');
    expect(await deliverEdit(rig, { body: ticked, from: BODY })).toEqual({ status: 200, message: 'queued' });
    await rig.server.service.onIdle();

    expect(rig.calls).toHaveLength(1);
    const call = rig.calls[0] as RunOptions;
    expect(call).toMatchObject({ apply: true, actor: 'maintainer', trigger: 'comment' });
    expect(call.forge?.kind).toBe('gitea');
    expect(call.dashboard?.actions).toEqual([{ type: 'retry', file: RED_FILE }]);
    expect(planDashboardActions(call.dashboard, call).only).toEqual([RED_FILE]);
    expect(call.dashboard?.memory[RED_FILE]).toMatchObject({ section: 'red' });
    const [queued = '', rewritten = ''] = editedBodies(rig);
    expect(editedBodies(rig)).toHaveLength(2);
    expect(queued.split('\n').filter((line) => line.endsWith(' — queued'))).toEqual([expect.stringContaining(`scrum-apply:retry ${encodeURIComponent(RED_FILE)}`)]);
    expect(tickedBoxes(queued)).toEqual([{ type: 'retry', file: RED_FILE }]);
    // The run's rewrite clears the box.
    expect(tickedBoxes(rewritten)).toEqual([]);
    expect(rewritten).not.toContain('queued');
    rig.mock.done();
    expect(rig.lines.join('')).not.toContain(GITEA_TOKEN);
  });

  it('allow and retry-red reach the run as actions', async () => {
    rig = await start();
    const ticked = tick(BODY, `allow ${DECLINED_FILE}`, 'retry-red');
    mockAccepted(rig, ticked, 'admin');
    await deliverEdit(rig, { body: ticked, from: BODY });
    await rig.server.service.onIdle();
    expect(rig.calls[0]?.dashboard?.actions).toEqual([{ type: 'retry-red' }, { type: 'allow', file: DECLINED_FILE }]);
    rig.mock.done();
  });

  it('a read-only user ticks a box: nothing runs and nothing is written', async () => {
    rig = await start();
    mockPermission(rig, 'read');
    expect(await deliverEdit(rig, { body: tick(BODY, `retry ${RED_FILE}`), from: BODY })).toEqual({ status: 200, message: 'refused' });
    await rig.server.service.onIdle();
    expect(rig.calls).toEqual([]);
    expect(rig.mock.writes()).toEqual([]);
    rig.mock.done();
  });

  it('ignores other issue actions, other issues, and old ticks; the bot\'s own "queued" edit runs nothing again', async () => {
    rig = await start();
    const ticked = tick(BODY, `retry ${RED_FILE}`);
    expect(await deliverEdit(rig, { body: ticked, action: 'opened' })).toEqual({ status: 202, message: 'action opened ignored' });
    expect(await deliverEdit(rig, { body: '- [x] <!-- scrum-apply:run-now --> no marker', from: '' })).toEqual({ status: 200, message: 'ignored' });
    expect(await deliverEdit(rig, { body: ticked, from: ticked })).toEqual({ status: 200, message: 'ignored' });
    // Gitea names no bot: the bot's own edit (a queued mark, changes omitted) counts nothing as new.
    const queued = ticked.replace(/^(- \[x\] .*)$/mu, '$1 — queued');
    expect(await deliverEdit(rig, { body: queued })).toEqual({ status: 200, message: 'ignored' });
    await rig.server.service.onIdle();
    expect(rig.calls).toEqual([]);
    expect(rig.mock.requests).toEqual([]);
  });
});
