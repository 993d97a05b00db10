import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubMock, createMockedGitHubForge, mockCreateLabel, mockListLabels, type GitHubMock } from '../helpers/github-mocks.js';
import { mockCreateIssue, mockEditIssue, mockListIssues } from '../helpers/dashboard-mocks.js';

const MARKER = '<!-- scrum-apply:dashboard';
const LABEL = { name: 'scrum-apply', color: '5319e7', description: 'Opened by scrum-apply' };

describe('the GitHub dashboard issue (DashboardForge)', () => {
  let mock: GitHubMock;
  beforeEach(() => {
    nock.disableNetConnect();
    mock = createGitHubMock();
  });
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('findDashboard: every page of the labelled issues, PRs skipped, the newest with the marker', async () => {
    mockListIssues(mock, 'scrum-apply', [
      [
        { number: 40, body: `${MARKER} AAAA -->`, pull: true },
        { number: 31, body: 'a person’s issue with our label' },
      ],
      [
        { number: 12, body: `old ${MARKER} AAAA -->`, state: 'closed' },
        { number: 20, body: `${MARKER} BBBB -->`, state: 'closed' },
      ],
    ]);
    const found = await createMockedGitHubForge().findDashboard('scrum-apply', MARKER);
    expect(found).toEqual({ number: 20, url: 'https://github.com/acme/widgets/issues/20', state: 'closed', body: `${MARKER} BBBB -->` });
    expect(mock.requests.map((r) => r.path)).toEqual([
      '/repos/acme/widgets/issues?labels=scrum-apply&state=all&per_page=100',
      '/repos/acme/widgets/issues?labels=scrum-apply&state=all&per_page=100&page=2',
    ]);
    mock.done();
  });

  it('findDashboard: null when no labelled issue carries the marker', async () => {
    mockListIssues(mock, 'scrum-apply', [[{ number: 3, body: 'scrum-apply dashboard (a person’s copy without the marker)' }]]);
    expect(await createMockedGitHubForge().findDashboard('scrum-apply', MARKER)).toBeNull();
    mock.done();
  });

  it('createDashboard: makes sure the label exists, then one POST with title, body and label', async () => {
    mockListLabels(mock, ['bug']);
    mockCreateLabel(mock);
    mockCreateIssue(mock, 77);
    const created = await createMockedGitHubForge().createDashboard('scrum-apply dashboard', `hello ${MARKER} x -->`, LABEL);
    expect(created).toEqual({ number: 77, url: 'https://github.com/acme/widgets/issues/77', state: 'open', body: `hello ${MARKER} x -->` });
    expect(mock.writes().at(-1)).toEqual({
      method: 'POST',
      path: '/repos/acme/widgets/issues',
      body: { title: 'scrum-apply dashboard', body: `hello ${MARKER} x -->`, labels: ['scrum-apply'] },
    });
    mock.done();
  });

  it('editDashboard: one PATCH carrying the body only (state, title and labels left as a person set them)', async () => {
    mockEditIssue(mock, 77);
    await createMockedGitHubForge().editDashboard(77, 'new body');
    expect(mock.writes()).toEqual([{ method: 'PATCH', path: '/repos/acme/widgets/issues/77', body: { body: 'new body' } }]);
    mock.done();
  });

  it('an API failure is a ForgeError naming what failed', async () => {
    mock.scope.patch('/repos/acme/widgets/issues/77').reply(500, { message: 'boom' });
    await expect(createMockedGitHubForge().editDashboard(77, 'x')).rejects.toMatchObject({ name: 'ForgeError', status: 500, message: expect.stringMatching(/dashboard issue #77/) });
  });
});
