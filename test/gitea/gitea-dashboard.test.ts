import nock from 'nock';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { createTestForge, giteaLabel } from '../helpers/gitea-mocks.js';
import { createGiteaIssueMock, mockGiteaCreateIssue, mockGiteaEditIssue, mockGiteaListIssues } from '../helpers/dashboard-mocks.js';
import { checkGiteaRequest, loadGiteaContract } from '../helpers/gitea-contract.js';

const MARKER = '<!-- scrum-apply:dashboard';
const LABEL = { name: 'scrum-apply', color: '5319e7', description: 'Opened by scrum-apply' };

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

describe('the Gitea dashboard issue (DashboardForge)', () => {
  it('findDashboard: issues only, labelled, every state and page; the newest with the marker', async () => {
    const mock = createGiteaIssueMock();
    const full = Array.from({ length: 50 }, (_, i) => ({ number: 100 + i, body: 'someone else’s issue' }));
    mockGiteaListIssues(mock, 'scrum-apply', [full, [{ number: 9, body: `${MARKER} AAAA -->` }, { number: 14, body: `${MARKER} BBBB -->`, state: 'closed' }, { number: 15, body: `${MARKER} CCCC -->`, pull: true }]]);
    const { forge } = createTestForge();
    expect(await forge.findDashboard('scrum-apply', MARKER)).toEqual({
      number: 14,
      url: 'https://gitea.example.test/acme/widgets/issues/14',
      state: 'closed',
      body: `${MARKER} BBBB -->`,
    });
    expect(mock.requests).toHaveLength(2);
    mock.done();
  });

  it('findDashboard: null when none carries the marker', async () => {
    const mock = createGiteaIssueMock();
    mockGiteaListIssues(mock, 'scrum-apply', [[]]);
    const { forge } = createTestForge();
    expect(await forge.findDashboard('scrum-apply', MARKER)).toBeNull();
    mock.done();
  });

  it('createDashboard: the label’s id (created when missing), one POST', async () => {
    const mock = createGiteaIssueMock();
    mock.scope
      .get(`${mock.api}/labels`)
      .query({ limit: '50', page: '1' })
      .reply(200, [giteaLabel(1, 'bug')])
      .post(`${mock.api}/labels`, { name: 'scrum-apply', color: '#5319e7', description: 'Opened by scrum-apply' })
      .reply(201, giteaLabel(3, 'scrum-apply'));
    mockGiteaCreateIssue(mock, 21);
    const { forge } = createTestForge();
    const issue = await forge.createDashboard('scrum-apply dashboard', `body ${MARKER} x -->`, LABEL);
    expect(issue).toEqual({ number: 21, url: 'https://gitea.example.test/acme/widgets/issues/21', state: 'open', body: `body ${MARKER} x -->` });
    expect(mock.writes()).toEqual([{ method: 'POST', path: `${mock.api}/issues`, body: { title: 'scrum-apply dashboard', body: `body ${MARKER} x -->`, labels: [3] } }]);
    mock.done();
  });

  it('editDashboard: one PATCH with the body only; Gitea’s 201 is success', async () => {
    const mock = createGiteaIssueMock();
    mockGiteaEditIssue(mock, 21);
    const { forge } = createTestForge();
    await forge.editDashboard(21, 'new body');
    expect(mock.writes()).toEqual([{ method: 'PATCH', path: `${mock.api}/issues/21`, body: { body: 'new body' } }]);
    mock.done();
  });

  it('the contract check itself rejects what Gitea would not take', () => {
    const contract = loadGiteaContract();
    expect(checkGiteaRequest(contract, { method: 'GET', path: '/api/v1/repos/a/b/issues?type=prs&per_page=5', body: undefined })).toEqual([
      'GET /repos/{owner}/{repo}/issues: type=prs is not one of issues, pulls',
      'GET /repos/{owner}/{repo}/issues: unknown query parameter per_page',
    ]);
    expect(checkGiteaRequest(contract, { method: 'PATCH', path: '/api/v1/repos/a/b/issues/3', body: { body: 1, labels: ['x'] } })).toEqual([
      'PATCH /repos/{owner}/{repo}/issues/{index}: body property body is not string',
      'PATCH /repos/{owner}/{repo}/issues/{index}: body property labels is not in the contract',
    ]);
    expect(checkGiteaRequest(contract, { method: 'POST', path: '/api/v1/repos/a/b/issues', body: { body: 'x', labels: [3] } })).toEqual([
      'POST /repos/{owner}/{repo}/issues: body lacks title',
    ]);
  });
});
