import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ForgeError, type ForgePr, type LabelSpec } from '../../src/forge/types.js';
import { API, GITEA_TOKEN, GITEA_URL, OWNER, REPO, createTestForge, giteaApi, giteaLabel, giteaPull } from '../helpers/gitea-mocks.js';

const BOT = { name: 'scrum-apply', color: 'ededed', description: 'Opened by scrum-apply' } satisfies LabelSpec;
const GREEN = { name: 'check:green', color: '0e8a16' } satisfies LabelSpec;
const HEAD = 'scrum-apply/src/lib.rs';

function newPr(overrides: Partial<{ draft: boolean; labels: LabelSpec[]; title: string }> = {}) {
  return {
    head: HEAD,
    base: 'main',
    title: overrides.title ?? 'scrum-apply: 1 mechanical fix in src/lib.rs',
    body: 'the body',
    draft: overrides.draft ?? false,
    labels: overrides.labels ?? [BOT],
  };
}

/** The repository's labels: one page, with `scrum-apply` already there as id 3. */
function repoLabels(scope: nock.Scope, labels = [giteaLabel(1, 'bug'), giteaLabel(3, 'scrum-apply')]): nock.Scope {
  return scope.get(`${API}/labels`).query({ limit: '50', page: '1' }).reply(200, labels);
}

function forgePr(overrides: Partial<ForgePr> = {}): ForgePr {
  return {
    number: 12,
    url: `${GITEA_URL}/${OWNER}/${REPO}/pulls/12`,
    state: 'open',
    merged: false,
    headBranch: HEAD,
    baseBranch: 'main',
    title: 'scrum-apply: 1 mechanical fix in src/lib.rs',
    body: 'old body',
    labels: ['scrum-apply'],
    ...overrides,
  };
}

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe('createGiteaForge', () => {
  it('is a gitea forge with a 60,000-character body budget', () => {
    const { forge } = createTestForge();
    expect(forge.kind).toBe('gitea');
    expect(forge.maxBodyLength).toBe(60_000);
  });

  it('listBotPrs: every state, only this repository\u2019s branches with the prefix', async () => {
    giteaApi()
      .get(`${API}/pulls`)
      .query({ state: 'all', limit: '50', page: '1' })
      .reply(200, [
        giteaPull({ number: 1, head: 'scrum-apply/a.rs', labels: [{ id: 3, name: 'scrum-apply' }], body: 'meta' }),
        giteaPull({ number: 2, head: 'feature/x' }),
        giteaPull({ number: 3, head: 'scrum-apply/b.rs', state: 'closed', merged: true, headDeleted: true }),
        giteaPull({ number: 4, head: 'scrum-apply/c.rs', headRepoId: 99 }), // a fork using our prefix
        giteaPull({ number: 5, head: 'scrum-apply/d.rs', state: 'closed', base: 'develop' }),
      ]);
    const { forge } = createTestForge();
    const prs = await forge.listBotPrs('scrum-apply/');
    expect(prs).toEqual([
      {
        number: 1,
        url: `${GITEA_URL}/${OWNER}/${REPO}/pulls/1`,
        state: 'open',
        merged: false,
        headBranch: 'scrum-apply/a.rs',
        baseBranch: 'main',
        title: 'scrum-apply: 1 mechanical fix in scrum-apply/a.rs',
        body: 'meta',
        labels: ['scrum-apply'],
        createdAt: '2024-05-01T10:00:00Z',
      },
      expect.objectContaining({ number: 3, state: 'closed', merged: true, headBranch: 'scrum-apply/b.rs' }),
      expect.objectContaining({ number: 5, state: 'closed', merged: false, baseBranch: 'develop' }),
    ]);
  });

  it('listPrHistory: one paginated listing; head commit and times of this repository\u2019s bot PRs', async () => {
    const fullPage = Array.from({ length: 50 }, (_, i) => giteaPull({ number: 100 + i, head: `feature/${i}` }));
    giteaApi()
      .get(`${API}/pulls`)
      .query({ state: 'all', limit: '50', page: '1' })
      .reply(200, fullPage, { 'X-Total-Count': '52' })
      .get(`${API}/pulls`)
      .query({ state: 'all', limit: '50', page: '2' })
      .reply(200, [
        giteaPull({ number: 1, head: 'scrum-apply/a.rs', headSha: 'a'.repeat(40), createdAt: '2024-06-01T08:00:00Z' }),
        giteaPull({
          number: 3,
          head: 'scrum-apply/b.rs',
          state: 'closed',
          merged: true,
          headDeleted: true,
          headSha: 'c'.repeat(40),
          createdAt: '2024-06-01T08:00:00Z',
          closedAt: '2024-06-04T08:00:00Z',
        }),
      ], { 'X-Total-Count': '52' });
    const { forge } = createTestForge();
    const history = await forge.listPrHistory('scrum-apply/');
    expect(history).toEqual([
      {
        number: 1,
        url: `${GITEA_URL}/${OWNER}/${REPO}/pulls/1`,
        headBranch: 'scrum-apply/a.rs',
        state: 'open',
        merged: false,
        headSha: 'a'.repeat(40),
        createdAt: '2024-06-01T08:00:00Z',
        closedAt: null,
        mergedAt: null,
      },
      {
        number: 3,
        url: `${GITEA_URL}/${OWNER}/${REPO}/pulls/3`,
        headBranch: 'scrum-apply/b.rs',
        state: 'closed',
        merged: true,
        headSha: 'c'.repeat(40),
        createdAt: '2024-06-01T08:00:00Z',
        closedAt: '2024-06-04T08:00:00Z',
        mergedAt: '2024-06-04T08:00:00Z',
      },
    ]);
  });

  it('createPr: labels listed once, the PR created with label ids in one write', async () => {
    const scope = repoLabels(giteaApi())
      .post(`${API}/pulls`, { head: HEAD, base: 'main', title: 'scrum-apply: 1 mechanical fix in src/lib.rs', body: 'the body', labels: [3] })
      .reply(201, giteaPull({ number: 12, head: HEAD, labels: [{ id: 3, name: 'scrum-apply' }] }));
    const { forge } = createTestForge();
    const pr = await forge.createPr(newPr());
    expect(pr).toMatchObject({ number: 12, headBranch: HEAD, labels: ['scrum-apply'] });
    scope.done();
  });

  it('createPr: a missing label is created with a #rrggbb colour and its id used', async () => {
    const scope = repoLabels(giteaApi())
      .post(`${API}/labels`, { name: 'check:green', color: '#0e8a16', description: '' })
      .reply(201, giteaLabel(31, 'check:green', '0e8a16'))
      .post(`${API}/pulls`, (body: { labels: number[] }) => JSON.stringify(body.labels) === '[3,31]')
      .reply(201, giteaPull({ number: 13, head: HEAD, labels: [{ id: 3, name: 'scrum-apply' }, { id: 31, name: 'check:green' }] }));
    const { forge, logLines } = createTestForge();
    const pr = await forge.createPr(newPr({ labels: [BOT, GREEN] }));
    expect(pr.labels).toEqual(['scrum-apply', 'check:green']);
    expect(logLines.some((line) => line.includes('"created label"') && line.includes('check:green'))).toBe(true);
    scope.done();
  });

  it('ensureLabels caches per instance: later calls and createPr make no label requests', async () => {
    repoLabels(giteaApi()).post(`${API}/labels`, { name: 'check:green', color: '#0e8a16', description: '' }).reply(201, giteaLabel(31, 'check:green'));
    const { forge } = createTestForge();
    await forge.ensureLabels([BOT, GREEN]);
    await forge.ensureLabels([GREEN, BOT]);

    giteaApi()
      .post(`${API}/pulls`, (body: { labels: number[] }) => JSON.stringify(body.labels) === '[31,3]')
      .reply(201, giteaPull({ number: 14, head: HEAD }));
    await forge.createPr(newPr({ labels: [GREEN, BOT] }));
  });

  it('parallel files needing the same missing label create it once', async () => {
    const scope = repoLabels(giteaApi())
      .post(`${API}/labels`, { name: 'check:green', color: '#0e8a16', description: '' })
      .delay(20)
      .reply(201, giteaLabel(31, 'check:green'));
    const { forge } = createTestForge();
    await Promise.all([forge.ensureLabels([GREEN]), forge.ensureLabels([GREEN]), forge.ensureLabels([BOT, GREEN])]);
    scope.done();
  });

  it('a failed label creation is retried by the next call', async () => {
    repoLabels(giteaApi()).post(`${API}/labels`).reply(500, { message: 'db locked' });
    const { forge } = createTestForge();
    await expect(forge.ensureLabels([GREEN])).rejects.toThrow(/POST \/repos\/acme\/widgets\/labels failed: 500 db locked/);
    giteaApi().post(`${API}/labels`).reply(201, giteaLabel(31, 'check:green'));
    await forge.ensureLabels([GREEN]);
  });

  it('createPr: a draft is a WIP: title; a title over 255 characters is cut', async () => {
    const long = `scrum-apply: 1 mechanical fix in ${'d/'.repeat(150)}x.rs`;
    let sentTitle = '';
    repoLabels(giteaApi())
      .post(`${API}/pulls`, (body: { title: string }) => {
        sentTitle = body.title;
        return true;
      })
      .reply(201, giteaPull({ number: 15, head: HEAD, title: 'WIP: x' }));
    const { forge } = createTestForge();
    await forge.createPr(newPr({ draft: true, title: long }));
    expect(sentTitle.startsWith('WIP: scrum-apply: 1 mechanical fix in d/d/')).toBe(true);
    expect([...sentTitle]).toHaveLength(255);
    expect(sentTitle.endsWith('…')).toBe(true);
  });

  it('createPr: 409 (PR exists) finds it by base and head and updates it, keeping a person\u2019s label', async () => {
    const scope = repoLabels(giteaApi())
      .post(`${API}/pulls`)
      .reply(409, { message: `pull request already exists for these targets [id: 1012, issue_id: 12, head_repo_id: 7, base_repo_id: 7, head_branch: ${HEAD}, base_branch: main]` })
      .get(`${API}/pulls/main/${HEAD}`)
      .reply(200, giteaPull({ number: 12, head: HEAD, body: 'stale', labels: [{ id: 3, name: 'scrum-apply' }, { id: 900, name: 'team:core' }] }))
      .patch(`${API}/pulls/12`, { title: 'scrum-apply: 1 mechanical fix in src/lib.rs', body: 'the body', labels: [900, 3] })
      .reply(201, giteaPull({ number: 12, head: HEAD, body: 'the body', labels: [{ id: 900, name: 'team:core' }, { id: 3, name: 'scrum-apply' }] }));
    const { forge } = createTestForge();
    const pr = await forge.createPr(newPr());
    expect(pr).toMatchObject({ number: 12, body: 'the body', existed: true });
    scope.done();
  });

  it('createPr: 409, then find-by-head 404 (older Gitea) falls back to the open PR listing', async () => {
    const scope = repoLabels(giteaApi())
      .post(`${API}/pulls`)
      .reply(409, { message: 'pull request already exists for these targets' })
      .get(`${API}/pulls/main/${HEAD}`)
      .reply(404, { message: 'Not Found' })
      .get(`${API}/pulls`)
      .query({ state: 'open', limit: '50', page: '1' })
      .reply(200, [
        giteaPull({ number: 8, head: HEAD, headRepoId: 99 }), // a fork's PR with the same branch name
        giteaPull({ number: 9, head: HEAD, base: 'develop' }),
        giteaPull({ number: 12, head: HEAD, body: 'stale' }),
      ])
      .patch(`${API}/pulls/12`, { title: 'scrum-apply: 1 mechanical fix in src/lib.rs', body: 'the body', labels: [3] })
      .reply(201, giteaPull({ number: 12, head: HEAD, body: 'the body' }));
    const { forge } = createTestForge();
    expect((await forge.createPr(newPr())).number).toBe(12);
    scope.done();
  });

  it('createPr: 409, find-by-head answers an old closed PR: the open one comes from the listing', async () => {
    repoLabels(giteaApi())
      .post(`${API}/pulls`)
      .reply(409, { message: 'pull request already exists for these targets' })
      .get(`${API}/pulls/main/${HEAD}`)
      .reply(200, giteaPull({ number: 3, head: HEAD, state: 'closed' }))
      .get(`${API}/pulls`)
      .query({ state: 'open', limit: '50', page: '1' })
      .reply(200, [giteaPull({ number: 12, head: HEAD, body: 'stale' })])
      .patch(`${API}/pulls/12`)
      .reply(201, giteaPull({ number: 12, head: HEAD, body: 'the body' }));
    const { forge } = createTestForge();
    expect((await forge.createPr(newPr())).number).toBe(12);
  });

  it('createPr: 409 with no open PR to be found rethrows the 409', async () => {
    repoLabels(giteaApi())
      .post(`${API}/pulls`)
      .reply(409, { message: 'pull request already exists for these targets' })
      .get(`${API}/pulls/main/${HEAD}`)
      .reply(404, { message: 'Not Found' })
      .get(`${API}/pulls`)
      .query({ state: 'open', limit: '50', page: '1' })
      .reply(200, []);
    const { forge } = createTestForge();
    const error = await forge.createPr(newPr()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForgeError);
    expect(error).toMatchObject({ status: 409, message: expect.stringMatching(/^Gitea API POST \/repos\/acme\/widgets\/pulls failed: 409 /) });
  });

  it('createPr: other errors (422) are not swallowed', async () => {
    repoLabels(giteaApi()).post(`${API}/pulls`).reply(422, { message: 'Invalid PullRequest: There are no changes between the head and the base' });
    const { forge } = createTestForge();
    await expect(forge.createPr(newPr())).rejects.toMatchObject({ status: 422 });
  });

  it('updatePr: PATCH replaces labels with ids, keeping a person\u2019s org label seen on the PR; 201 accepted', async () => {
    giteaApi()
      .get(`${API}/pulls`)
      .query({ state: 'all', limit: '50', page: '1' })
      .reply(200, [giteaPull({ number: 12, head: HEAD, body: 'old', labels: [{ id: 3, name: 'scrum-apply' }, { id: 900, name: 'team:core' }] })]);
    const { forge } = createTestForge();
    const [pr] = await forge.listBotPrs('scrum-apply/');
    if (!pr) throw new Error('no PR listed');

    const scope = repoLabels(giteaApi()) // org label 900 is not in the repository's list
      .post(`${API}/labels`, { name: 'check:green', color: '#0e8a16', description: '' })
      .reply(201, giteaLabel(31, 'check:green'))
      .patch(`${API}/pulls/12`, { title: pr.title, body: 'new', labels: [3, 900, 31] })
      .reply(201, giteaPull({ number: 12, head: HEAD, body: 'new', labels: [{ id: 3, name: 'scrum-apply' }, { id: 900, name: 'team:core' }, { id: 31, name: 'check:green' }] }));
    const updated = await forge.updatePr(pr, {
      title: pr.title,
      body: 'new',
      labels: [BOT, { name: 'team:core', color: 'cccccc' }, GREEN],
    });
    expect(updated.labels).toEqual(['scrum-apply', 'team:core', 'check:green']);
    scope.done();
  });

  it('updatePr: nothing changed means no request at all', async () => {
    const { forge } = createTestForge();
    const pr = forgePr({ body: 'same', labels: ['check:green', 'scrum-apply'] });
    const result = await forge.updatePr(pr, { title: pr.title, body: 'same', labels: [BOT, GREEN] });
    expect(result).toBe(pr);
  });

  it('updatePr: a WIP PR stays WIP; a PR a person marked ready stays ready', async () => {
    repoLabels(giteaApi())
      .patch(`${API}/pulls/12`, { title: 'WIP: scrum-apply: 2 mechanical fixes in src/lib.rs', body: 'b', labels: [3] })
      .reply(201, giteaPull({ number: 12, head: HEAD, title: 'WIP: scrum-apply: 2 mechanical fixes in src/lib.rs' }))
      .patch(`${API}/pulls/13`, { title: 'scrum-apply: 2 mechanical fixes in src/lib.rs', body: 'b', labels: [3] })
      .reply(201, giteaPull({ number: 13, head: HEAD }));
    const { forge } = createTestForge();
    const update = { title: 'scrum-apply: 2 mechanical fixes in src/lib.rs', body: 'b', labels: [BOT] };
    await forge.updatePr(forgePr({ title: 'WIP: scrum-apply: 1 mechanical fix in src/lib.rs' }), update);
    await forge.updatePr(forgePr({ number: 13 }), update);
  });

  it.each([
    ['owner', 'admin'],
    ['admin', 'admin'],
    ['write', 'write'],
    ['read', 'read'],
    ['none', 'none'],
  ] as const)('getPermission: Gitea %s is %s', async (gitea, ours) => {
    giteaApi().get(`${API}/collaborators/alice/permission`).reply(200, { permission: gitea, role_name: gitea, user: { login: 'alice' } });
    const { forge } = createTestForge();
    expect(await forge.getPermission('alice')).toBe(ours);
  });

  it('getPermission: unknown user (404) is none; 403 is a clear configuration error', async () => {
    giteaApi().get(`${API}/collaborators/ghost/permission`).reply(404, { message: 'user does not exist' });
    giteaApi().get(`${API}/collaborators/bob/permission`).reply(403, { message: 'Only admins can query all permissions' });
    const { forge } = createTestForge();
    expect(await forge.getPermission('ghost')).toBe('none');
    await expect(forge.getPermission('bob')).rejects.toThrow(
      new ForgeError('GITEA_TOKEN cannot read collaborator permissions (403): the token needs repository admin rights', 403),
    );
  });

  it('createComment, reactToComment, defaultBranch', async () => {
    giteaApi()
      .post(`${API}/issues/5/comments`, { body: 'results' })
      .reply(201, { id: 77, html_url: `${GITEA_URL}/${OWNER}/${REPO}/issues/5#issuecomment-77`, body: 'results' })
      .post(`${API}/issues/comments/76/reactions`, { content: 'eyes' })
      .reply(201, { content: 'eyes', user: { login: 'scrum-bot' } })
      .get(API)
      .reply(200, { default_branch: 'trunk', name: REPO });
    const { forge } = createTestForge();
    expect(await forge.createComment(5, 'results')).toEqual({ id: 77, url: `${GITEA_URL}/${OWNER}/${REPO}/issues/5#issuecomment-77` });
    await forge.reactToComment(76, 'eyes');
    expect(await forge.defaultBranch()).toBe('trunk');
  });

  it('defaultBranch of an empty repository is a clear error', async () => {
    giteaApi().get(API).reply(200, { default_branch: '', empty: true });
    const { forge } = createTestForge();
    await expect(forge.defaultBranch()).rejects.toThrow('Gitea repository acme/widgets has no default branch (is it empty?)');
  });

  it('the token appears in no error and no log line', async () => {
    giteaApi()
      .get(`${API}/labels`)
      .query(true)
      .reply(500, { message: `db error near "${GITEA_TOKEN}"` });
    const { forge, logLines } = createTestForge();
    const error = await forge.createPr(newPr()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForgeError);
    expect(String(error)).toContain('[REDACTED]');
    expect(String(error)).not.toContain(GITEA_TOKEN);

    // The label listing is retried; the 409 path logs what it does.
    repoLabels(giteaApi())
      .post(`${API}/pulls`)
      .reply(409, { message: 'exists' })
      .get(`${API}/pulls/main/${HEAD}`)
      .reply(200, giteaPull({ number: 12, head: HEAD }))
      .patch(`${API}/pulls/12`)
      .reply(201, giteaPull({ number: 12, head: HEAD, body: 'the body' }));
    await forge.createPr(newPr());
    expect(logLines.some((line) => line.includes('PR already exists; updating it'))).toBe(true);
    expect(logLines.join('')).not.toContain(GITEA_TOKEN);
  });
});
