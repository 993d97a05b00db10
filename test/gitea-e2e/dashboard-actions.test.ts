import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EMPTY_DASHBOARD, renderDashboard, tickedBoxes } from '../../src/report/dashboard.js';
import { giteaIssue } from '../helpers/dashboard-mocks.js';
import { git } from '../helpers/fixture-repo.js';
import { checkGiteaRequest, loadGiteaContract } from '../helpers/gitea-contract.js';
import { API, createGiteaRig, GITEA, mockListPulls, type GiteaMock, type GiteaRig } from '../helpers/gitea-e2e.js';
import { RED, SHAPES } from '../helpers/github-e2e.js';

/**
 * The dashboard's failure memory and its boxes on Gitea (CLI with `--forge gitea`): the real
 * pipeline against Gitea mocked with nock, the issue requests checked against Gitea's Swagger.
 */

const ISSUE = 3;
const contract = loadGiteaContract();

let rig: GiteaRig;
beforeEach(async () => {
  rig = await createGiteaRig();
});
afterEach(async () => {
  await rig.close();
});

/** GET …/issues (the dashboard found by label and marker) and, when `write`, PATCH …/issues/3: recorded, authorised, contract-checked. */
function mockDashboard(mock: GiteaMock, body: string, write: boolean): void {
  const check = (method: string, path: string, request: unknown, authorization: unknown) => {
    mock.requests.push({ method, path, body: request });
    if (authorization !== `token ${mock.token}`) mock.problems.push(`${method} ${path}: missing or wrong authorization`);
    mock.problems.push(...checkGiteaRequest(contract, { method, path, body: request }));
  };
  mock.scope
    .get(`${API}/issues`)
    .query({ type: 'issues', labels: 'scrum-apply', state: 'all', limit: '50', page: '1' })
    .reply(function (uri) {
      check('GET', uri, undefined, this.req.headers.authorization);
      return [200, [giteaIssue(GITEA, { number: ISSUE, body })], { 'content-type': 'application/json', 'x-total-count': '1' }];
    });
  if (!write) return;
  mock.scope.patch(`${API}/issues/${ISSUE}`).reply(function (uri, raw) {
    const request: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
    check('PATCH', uri, request, this.req.headers.authorization);
    const next = typeof request === 'object' && request !== null && 'body' in request ? String(request.body) : '';
    return [201, giteaIssue(GITEA, { number: ISSUE, body: next })];
  });
}

function written(mock: GiteaMock): string | null {
  const last = mock.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/issues/${ISSUE}`)).at(-1);
  const body: unknown = last?.body;
  return typeof body === 'object' && body !== null && 'body' in body ? String(body.body) : null;
}

function tick(body: string, box: string): string {
  const [action, file] = box.split(' ');
  const marker = `- [ ] <!-- scrum-apply:${action}${file === undefined ? '' : ` ${encodeURIComponent(file)}`} -->`;
  expect(body).toContain(marker);
  return body.replace(marker, marker.replace('[ ]', '[x]'));
}

function askedAbout(from: number, files: string[]): string[] {
  return rig.llm.requests.slice(from).map((request) => files.find((file) => request.prompt.includes(file)) ?? '(another file)');
}

async function run(dashboard: string, options: { args?: string[]; write: boolean }): Promise<GiteaMock> {
  const mock = rig.newMock();
  mockListPulls(mock, []);
  mockDashboard(mock, dashboard, options.write);
  const result = await rig.run(options.args ?? []);
  expect(result.stderr).not.toMatch(/could not (read|write) the dashboard/);
  expect(result.code).toBe(0);
  mock.done();
  rig.expectNoToken(result);
  return mock;
}

describe('the dashboard as failure memory and as run inputs (Gitea, CLI)', () => {
  it('a red file is not re-bought with the same inputs; a changed blob asks again; its retry box runs that file only and is cleared', async () => {
    let asked = rig.llm.requests.length;
    const red = written(await run(renderDashboard(EMPTY_DASHBOARD, { maxLength: 60_000, runBox: false }), { args: ['--only', RED], write: true })) ?? '';
    expect(rig.lastRun().get(RED)?.action).toBe('build_red_reverted');
    expect(askedAbout(asked, [RED])).toEqual([RED]);

    asked = rig.llm.requests.length;
    const quiet = await run(red, { args: ['--only', RED], write: false });
    expect(rig.llm.requests.length).toBe(asked);
    expect(quiet.writes()).toEqual([]);
    expect(rig.lastRun().get(RED)?.action).toBe('skipped_known_failure');

    // The file changed at the base (another blob): new inputs, asked again.
    rig.repo.write(RED, `${git(rig.repo.dir, 'show', `HEAD:${RED}`)}\n// a note added by hand\n`);
    rig.repo.commitAll('a change to the red file');
    asked = rig.llm.requests.length;
    const changed = written(await run(red, { args: ['--only', RED], write: true })) ?? '';
    expect(askedAbout(asked, [RED])).toEqual([RED]);
    expect(rig.lastRun().get(RED)?.action).not.toBe('skipped_known_failure');

    // Its retry box: that file only (no --only), and the write clears the box.
    asked = rig.llm.requests.length;
    const retried = written(await run(tick(changed, `retry ${RED}`), { write: true })) ?? '';
    expect([...rig.lastRun().keys()]).toEqual([RED]);
    expect(askedAbout(asked, [RED, SHAPES])).toEqual([RED]);
    expect(tickedBoxes(retried)).toEqual([]);
  });
});
