import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ForgeError, type LabelSpec } from '../../src/forge/types.js';
import {
  captureLogger,
  createGitHubMock,
  createMockedGitHubForge,
  mockAddLabels,
  mockCreateComment,
  mockCreateLabel,
  mockCreatePull,
  mockGetRepo,
  mockListLabels,
  mockListPulls,
  mockPermission,
  mockReaction,
  mockRemoveAllLabels,
  mockSetLabels,
  mockUpdatePull,
  pullPayload,
  TOKEN,
  type GitHubMock,
} from '../helpers/github-mocks.js';
import { toForgePr, GitHubPull } from '../../src/forge/github/to-forge-pr.js';

const LABELS: LabelSpec[] = [
  { name: 'scrum-apply', color: '5319e7', description: 'Opened by scrum-apply' },
  { name: 'tier:auto', color: 'fbca04' },
];

function pr(fixture: Parameters<typeof pullPayload>[0]) {
  return toForgePr(GitHubPull.parse(pullPayload(fixture)));
}

describe('createGitHubForge', () => {
  let mock: GitHubMock;
  beforeEach(() => {
    nock.disableNetConnect();
    mock = createGitHubMock();
  });
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('lists the bot PRs of this repository over every page', async () => {
    mockListPulls(mock, [
      [
        pullPayload({ number: 1, head: 'scrum-apply/src/a.rs', body: null }),
        pullPayload({ number: 2, head: 'feature/x' }),
        pullPayload({ number: 3, head: 'scrum-apply/src/fork.rs', headRepo: 'mallory/widgets' }),
        pullPayload({ number: 4, head: 'scrum-apply/src/gone.rs', headRepo: null }),
      ],
      [pullPayload({ number: 5, head: 'scrum-apply/src/b.rs', state: 'closed', merged: true, labels: ['scrum-apply', 'keep'] })],
    ]);
    const prs = await createMockedGitHubForge().listBotPrs('scrum-apply/');
    expect(prs).toEqual([
      {
        number: 1,
        url: 'https://github.com/acme/widgets/pull/1',
        state: 'open',
        merged: false,
        headBranch: 'scrum-apply/src/a.rs',
        baseBranch: 'main',
        title: 'PR 1',
        body: '',
        labels: [],
        createdAt: '2024-04-30T00:00:00Z',
      },
      expect.objectContaining({ number: 5, state: 'closed', merged: true, labels: ['scrum-apply', 'keep'] }),
    ]);
    expect(mock.requests.map((r) => r.path)).toEqual([
      '/repos/acme/widgets/pulls?state=all&per_page=100',
      '/repos/acme/widgets/pulls?state=all&per_page=100&page=2',
    ]);
    mock.done();
  });

  it('lists the history of the bot PRs (head commit, created, closed, merged) in the same one paginated listing', async () => {
    mockListPulls(mock, [
      [
        pullPayload({ number: 1, head: 'scrum-apply/src/a.rs', headSha: 'a'.repeat(40), createdAt: '2024-06-01T08:00:00Z' }),
        pullPayload({ number: 2, head: 'feature/x', state: 'closed', merged: true }),
        pullPayload({ number: 3, head: 'scrum-apply/src/fork.rs', headRepo: 'mallory/widgets' }),
      ],
      [
        pullPayload({
          number: 5,
          head: 'scrum-apply/src/b.rs',
          state: 'closed',
          merged: true,
          headSha: 'b'.repeat(40),
          createdAt: '2024-06-01T08:00:00Z',
          closedAt: '2024-06-03T08:00:00Z',
        }),
        pullPayload({ number: 6, head: 'scrum-apply/src/c.rs', state: 'closed', closedAt: '2024-06-02T08:00:00Z' }),
      ],
    ]);
    const history = await createMockedGitHubForge().listPrHistory('scrum-apply/');
    expect(history).toEqual([
      {
        number: 1,
        url: 'https://github.com/acme/widgets/pull/1',
        headBranch: 'scrum-apply/src/a.rs',
        state: 'open',
        merged: false,
        headSha: 'a'.repeat(40),
        createdAt: '2024-06-01T08:00:00Z',
        closedAt: null,
        mergedAt: null,
      },
      expect.objectContaining({ number: 5, state: 'closed', merged: true, headSha: 'b'.repeat(40), closedAt: '2024-06-03T08:00:00Z', mergedAt: '2024-06-03T08:00:00Z' }),
      expect.objectContaining({ number: 6, state: 'closed', merged: false, closedAt: '2024-06-02T08:00:00Z', mergedAt: null }),
    ]);
    expect(mock.requests.map((r) => r.path)).toEqual([
      '/repos/acme/widgets/pulls?state=all&per_page=100',
      '/repos/acme/widgets/pulls?state=all&per_page=100&page=2',
    ]);
    mock.done();
  });

  it('creates a PR, then labels it; labels are listed once and created once per forge', async () => {
    mockListLabels(mock, ['scrum-apply', 'bug']);
    mockCreateLabel(mock);
    mockCreatePull(mock, 11);
    mockAddLabels(mock, 11);
    mockCreatePull(mock, 12);
    mockAddLabels(mock, 12);
    const forge = createMockedGitHubForge();
    const newPr = { head: 'scrum-apply/src/a.rs', base: 'main', title: 'T', body: 'B', draft: true, labels: LABELS };

    const first = await forge.createPr(newPr);
    const second = await forge.createPr({ ...newPr, head: 'scrum-apply/src/b.rs' });

    expect(first).toMatchObject({ number: 11, state: 'open', headBranch: 'scrum-apply/src/a.rs', labels: ['scrum-apply', 'tier:auto'] });
    expect(second).toMatchObject({ number: 12, headBranch: 'scrum-apply/src/b.rs' });
    expect(mock.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /repos/acme/widgets/pulls',
      'GET /repos/acme/widgets/labels?per_page=100',
      'POST /repos/acme/widgets/labels',
      'POST /repos/acme/widgets/issues/11/labels',
      'POST /repos/acme/widgets/pulls',
      'POST /repos/acme/widgets/issues/12/labels',
    ]);
    expect(mock.requests[0]?.body).toEqual({ title: 'T', head: 'scrum-apply/src/a.rs', base: 'main', body: 'B', draft: true });
    expect(mock.requests[2]?.body).toEqual({ name: 'tier:auto', color: 'fbca04' });
    expect(mock.requests[3]?.body).toEqual({ labels: ['scrum-apply', 'tier:auto'] });
    mock.done();
  });

  it('treats a label someone else created meanwhile (422 already_exists) as created', async () => {
    mockListLabels(mock, []);
    mockCreateLabel(mock, { alreadyExists: true });
    mockCreateLabel(mock);
    await createMockedGitHubForge().ensureLabels(LABELS);
    expect(mock.requests.filter((r) => r.method === 'POST').map((r) => r.body)).toEqual([
      { name: 'scrum-apply', color: '5319e7', description: 'Opened by scrum-apply' },
      { name: 'tier:auto', color: 'fbca04' },
    ]);
    mock.done();
  });

  it('keeps an opened PR when labelling fails, and says so in the log', async () => {
    mockCreatePull(mock, 21);
    mockListLabels(mock, ['scrum-apply', 'tier:auto']);
    mockAddLabels(mock, 21, [], { status: 403, payload: { message: 'Resource not accessible by integration' } });
    const { logger, lines } = captureLogger();
    const created = await createMockedGitHubForge(logger).createPr({
      head: 'scrum-apply/a.rs',
      base: 'main',
      title: 'T',
      body: 'B',
      draft: false,
      labels: LABELS,
    });
    expect(created).toMatchObject({ number: 21, labels: [] });
    expect(lines.join('')).toContain('could not label pull request');
    mock.done();
  });

  it('updates only what differs: nothing, the title/body, or the labels', async () => {
    const base = { number: 31, head: 'scrum-apply/a.rs', title: 'T', body: 'B', labels: ['scrum-apply', 'tier:auto', 'keep-me'] };
    const current = pr(base);
    const forge = createMockedGitHubForge();
    const sameLabels = [...LABELS, { name: 'keep-me', color: 'ededed' }];

    expect(await forge.updatePr(current, { title: 'T', body: 'B', labels: sameLabels })).toEqual(current);
    expect(mock.requests).toEqual([]);

    mockUpdatePull(mock, base);
    const retitled = await forge.updatePr(current, { title: 'T2', body: 'B2', labels: sameLabels });
    expect(retitled).toMatchObject({ number: 31, title: 'T2', body: 'B2' });
    expect(mock.requests.map((r) => [r.method, r.body])).toEqual([['PATCH', { title: 'T2', body: 'B2' }]]);

    mockListLabels(mock, ['scrum-apply', 'tier:auto', 'keep-me']);
    mockCreateLabel(mock);
    mockSetLabels(mock, 31);
    const relabelled = await forge.updatePr(current, {
      title: 'T',
      body: 'B',
      labels: [LABELS[0]!, { name: 'tier:manual', color: 'fbca04' }, { name: 'keep-me', color: 'ededed' }],
    });
    expect(relabelled.labels).toEqual(['scrum-apply', 'tier:manual', 'keep-me']);
    expect(mock.writes().map((r) => `${r.method} ${r.path}`)).toEqual([
      'PATCH /repos/acme/widgets/pulls/31',
      'POST /repos/acme/widgets/labels',
      'PUT /repos/acme/widgets/issues/31/labels',
    ]);
    expect(mock.writes()[1]?.body).toEqual({ name: 'tier:manual', color: 'fbca04' });
    expect(mock.writes()[2]?.body).toEqual({ labels: ['scrum-apply', 'tier:manual', 'keep-me'] });
    mock.done();
  });

  it('removes every label with DELETE when the desired set is empty (PUT needs at least one)', async () => {
    mockRemoveAllLabels(mock, 32);
    const current = pr({ number: 32, head: 'scrum-apply/a.rs', title: 'T', body: 'B', labels: ['scrum-apply'] });
    expect(await createMockedGitHubForge().updatePr(current, { title: 'T', body: 'B', labels: [] })).toMatchObject({ labels: [] });
    expect(mock.writes().map((r) => `${r.method} ${r.path}`)).toEqual(['DELETE /repos/acme/widgets/issues/32/labels']);
    mock.done();
  });

  it.each([
    [{ permission: 'admin', role_name: 'admin' }, 'admin'],
    [{ permission: 'write', role_name: 'maintain' }, 'maintain'],
    [{ permission: 'write', role_name: 'write' }, 'write'],
    [{ permission: 'read', role_name: 'triage' }, 'triage'],
    [{ permission: 'read', role_name: 'read' }, 'read'],
    [{ permission: 'none', role_name: 'none' }, 'none'],
  ])('maps the permission %j to %s', async (payload, expected) => {
    mockPermission(mock, 'octocat', { payload: { ...payload, user: { login: 'octocat' } } });
    expect(await createMockedGitHubForge().getPermission('octocat')).toBe(expected);
    mock.done();
  });

  it('maps 404 to no permission and throws on other errors', async () => {
    mockPermission(mock, 'ghost', { status: 404, payload: { message: 'Not Found' } });
    mockPermission(mock, 'octocat', { status: 500, payload: { message: 'Server Error' } });
    const forge = createMockedGitHubForge();
    expect(await forge.getPermission('ghost')).toBe('none');
    const error = await forge.getPermission('octocat').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForgeError);
    expect(error).toMatchObject({
      status: 500,
      message: expect.stringMatching(/^GitHub reading the permission of octocat failed \(HTTP 500\): Server Error/),
    });
    mock.done();
  });

  it('comments, reacts and reads the default branch', async () => {
    mockCreateComment(mock, 7, 99);
    mockReaction(mock, 98);
    mockGetRepo(mock);
    const forge = createMockedGitHubForge();
    expect(await forge.createComment(7, 'results')).toEqual({ id: 99, url: 'https://github.com/acme/widgets/issues/7#issuecomment-99' });
    await forge.reactToComment(98, 'eyes');
    expect(await forge.defaultBranch()).toBe('main');
    expect(mock.writes().map((r) => r.body)).toEqual([{ body: 'results' }, { content: 'eyes' }]);
    mock.done();
  });

  it('redacts tokens from error messages', async () => {
    mockGetRepo(mock, { status: 401, payload: { message: `Bad credentials: token ${TOKEN} and ghp_${'x'.repeat(36)}` } });
    const error = await createMockedGitHubForge().defaultBranch().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForgeError);
    const text = `${String(error)} ${JSON.stringify(error)}`;
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('ghp_x');
    expect(text).toContain('[REDACTED]');
    expect(error).toMatchObject({ status: 401, message: expect.not.stringContaining('\n') });
    mock.done();
  });

  it('turns a malformed answer into a ForgeError', async () => {
    mockGetRepo(mock, { payload: { id: 1 } });
    await expect(createMockedGitHubForge().defaultBranch()).rejects.toThrow(/GitHub reading the repository failed: unexpected response/);
    mock.done();
  });
});
