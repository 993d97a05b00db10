import { inspect } from 'node:util';
import nock from 'nock';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import {
  addCommentReaction,
  createIssueComment,
  createLabel,
  createPull,
  editPull,
  getCollaboratorPermission,
  getPullByBaseHead,
  getRepo,
  listLabels,
  listPulls,
} from '../../src/forge/gitea/gitea-api.js';
import { createGiteaClient } from '../../src/forge/gitea/gitea-client.js';
import { ForgeError } from '../../src/forge/types.js';
import { createRedactor } from '../../src/log/redact.js';
import { API, GITEA_TOKEN, GITEA_URL, OWNER, REPO, giteaApi, giteaLabel, giteaPull } from '../helpers/gitea-mocks.js';

const ref = { owner: OWNER, repo: REPO };
// The caller's redactor does not know the token: the client must redact it on its own.
const client = createGiteaClient({ url: `${GITEA_URL}/`, token: GITEA_TOKEN, redact: createRedactor([]) });

function pulls(from: number, count: number) {
  return Array.from({ length: count }, (_, i) => giteaPull({ number: from + i, head: `feature/${from + i}` }));
}

async function forgeError(promise: Promise<unknown>): Promise<ForgeError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ForgeError);
  if (!(error instanceof ForgeError)) throw new Error('unreachable');
  return error;
}

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe('gitea-api endpoints', () => {
  it('GET /repos/{o}/{r}: default branch, with token auth and JSON accept', async () => {
    giteaApi()
      .matchHeader('accept', 'application/json')
      .get(API)
      .reply(200, { id: 7, name: REPO, default_branch: 'trunk', private: false });
    expect(await getRepo(client, ref)).toEqual({ default_branch: 'trunk' });
  });

  it('lists PRs page by page until a page is shorter than the limit', async () => {
    const scope = giteaApi()
      .get(`${API}/pulls`)
      .query({ state: 'all', limit: '50', page: '1' })
      .reply(200, pulls(1, 50))
      .get(`${API}/pulls`)
      .query({ state: 'all', limit: '50', page: '2' })
      .reply(200, pulls(51, 3));
    const result = await listPulls(client, ref, 'all');
    expect(result.map((p) => p.number)).toEqual(Array.from({ length: 53 }, (_, i) => i + 1));
    scope.done();
  });

  it('follows X-Total-Count when the server caps pages below our limit', async () => {
    giteaApi()
      .get(`${API}/pulls`)
      .query({ state: 'open', limit: '50', page: '1' })
      .reply(200, pulls(1, 30), { 'X-Total-Count': '45' })
      .get(`${API}/pulls`)
      .query({ state: 'open', limit: '50', page: '2' })
      .reply(200, pulls(31, 15), { 'X-Total-Count': '45' });
    expect(await listPulls(client, ref, 'open')).toHaveLength(45);
  });

  it('stops after a full page when X-Total-Count says that was all, and at an empty page', async () => {
    giteaApi()
      .get(`${API}/pulls`)
      .query({ state: 'all', limit: '50', page: '1' })
      .reply(200, pulls(1, 50), { 'X-Total-Count': '50' });
    expect(await listPulls(client, ref, 'all')).toHaveLength(50);

    giteaApi()
      .get(`${API}/pulls`)
      .query({ state: 'all', limit: '50', page: '1' })
      .reply(200, pulls(1, 50))
      .get(`${API}/pulls`)
      .query({ state: 'all', limit: '50', page: '2' })
      .reply(200, []);
    expect(await listPulls(client, ref, 'all')).toHaveLength(50);
  });

  it('finds a PR by base and head, keeping the slashes of the head branch', async () => {
    giteaApi()
      .get(`${API}/pulls/main/scrum-apply/src/lib.rs`)
      .reply(200, giteaPull({ number: 4, head: 'scrum-apply/src/lib.rs' }));
    const found = await getPullByBaseHead(client, ref, 'main', 'scrum-apply/src/lib.rs');
    expect(found?.number).toBe(4);
  });

  it('find-by-base-and-head: 404 is null; a base with a slash is not tried', async () => {
    giteaApi()
      .get(`${API}/pulls/main/scrum-apply/x.rs`)
      .reply(404, { errors: null, message: 'The target couldn\u2019t be found.', url: `${GITEA_URL}/api/swagger` });
    expect(await getPullByBaseHead(client, ref, 'main', 'scrum-apply/x.rs')).toBeNull();
    expect(await getPullByBaseHead(client, ref, 'release/1.0', 'scrum-apply/x.rs')).toBeNull();
  });

  it('POST /pulls sends head, base, title, body and label ids', async () => {
    const sent = { head: 'scrum-apply/a.rs', base: 'main', title: 't', body: 'b', labels: [3, 9] };
    giteaApi()
      .matchHeader('content-type', 'application/json')
      .post(`${API}/pulls`, sent)
      .reply(201, giteaPull({ number: 12, head: 'scrum-apply/a.rs', title: 't', body: 'b' }));
    expect((await createPull(client, ref, sent)).number).toBe(12);
  });

  it('PATCH /pulls/{n} accepts the 201 Gitea answers with', async () => {
    const sent = { title: 't2', body: 'b2', labels: [3] };
    giteaApi()
      .patch(`${API}/pulls/12`, sent)
      .reply(201, giteaPull({ number: 12, head: 'scrum-apply/a.rs', title: 't2', body: 'b2', labels: [{ id: 3, name: 'scrum-apply' }] }));
    const edited = await editPull(client, ref, 12, sent);
    expect(edited.title).toBe('t2');
    expect(edited.labels).toEqual([{ id: 3, name: 'scrum-apply' }]);
  });

  it('lists labels page by page and creates one with a #rrggbb colour', async () => {
    giteaApi()
      .get(`${API}/labels`)
      .query({ limit: '50', page: '1' })
      .reply(200, Array.from({ length: 50 }, (_, i) => giteaLabel(i + 1, `l${i + 1}`)))
      .get(`${API}/labels`)
      .query({ limit: '50', page: '2' })
      .reply(200, [giteaLabel(51, 'scrum-apply')]);
    const labels = await listLabels(client, ref);
    expect(labels).toHaveLength(51);
    expect(labels[50]).toEqual({ id: 51, name: 'scrum-apply' });

    giteaApi()
      .post(`${API}/labels`, { name: 'check:green', color: '#0e8a16', description: 'check passed' })
      .reply(201, giteaLabel(52, 'check:green', '0e8a16'));
    expect(await createLabel(client, ref, { name: 'check:green', color: '#0e8a16', description: 'check passed' })).toEqual({
      id: 52,
      name: 'check:green',
    });
  });

  it('comments on an issue and reacts to a comment (201 new, 200 already there)', async () => {
    giteaApi()
      .post(`${API}/issues/5/comments`, { body: 'hello' })
      .reply(201, { id: 77, html_url: `${GITEA_URL}/${OWNER}/${REPO}/issues/5#issuecomment-77`, body: 'hello', user: { id: 2 } });
    expect(await createIssueComment(client, ref, 5, 'hello')).toEqual({
      id: 77,
      html_url: `${GITEA_URL}/${OWNER}/${REPO}/issues/5#issuecomment-77`,
    });

    const reaction = { user: { id: 2, login: 'scrum-bot' }, content: 'eyes', created_at: '2024-05-01T10:00:00Z' };
    giteaApi()
      .post(`${API}/issues/comments/77/reactions`, { content: 'eyes' })
      .reply(201, reaction)
      .post(`${API}/issues/comments/77/reactions`, { content: 'eyes' })
      .reply(200, reaction);
    await addCommentReaction(client, ref, 77, 'eyes');
    await addCommentReaction(client, ref, 77, 'eyes');
  });

  it.each(['owner', 'admin', 'write', 'read', 'none'] as const)('reads collaborator permission %s', async (permission) => {
    giteaApi()
      .get(`${API}/collaborators/alice/permission`)
      .reply(200, { permission, role_name: permission, user: { id: 3, login: 'alice' } });
    expect(await getCollaboratorPermission(client, ref, 'alice')).toBe(permission);
  });

  it('collaborator permission: 404 is null, 403 a configuration error, others rethrown', async () => {
    giteaApi().get(`${API}/collaborators/ghost/permission`).reply(404, { message: 'user does not exist [uid: 0, name: ghost]' });
    expect(await getCollaboratorPermission(client, ref, 'ghost')).toBeNull();

    giteaApi()
      .get(`${API}/collaborators/bob/permission`)
      .reply(403, { message: 'Only admins can query all permissions, repo admins can query all repo permissions, collaborators can query only their own' });
    const forbidden = await forgeError(getCollaboratorPermission(client, ref, 'bob'));
    expect(forbidden.status).toBe(403);
    expect(forbidden.message).toBe(
      'GITEA_TOKEN cannot read collaborator permissions (403): the token needs repository admin rights',
    );

    giteaApi().get(`${API}/collaborators/bob/permission`).reply(500, { message: 'boom' });
    const broken = await forgeError(getCollaboratorPermission(client, ref, 'bob'));
    expect(broken.status).toBe(500);
  });

  it('an unknown permission string fails closed with a ForgeError', async () => {
    giteaApi().get(`${API}/collaborators/alice/permission`).reply(200, { permission: 'superuser' });
    const error = await forgeError(getCollaboratorPermission(client, ref, 'alice'));
    expect(error.message).toMatch(/^Gitea API GET \/repos\/acme\/widgets\/collaborators\/alice\/permission failed: 200 answered with an unexpected shape: permission:/);
  });
});

describe('gitea-api errors', () => {
  it('a 422 becomes a one-line ForgeError with method, path, status and Gitea\u2019s message', async () => {
    giteaApi().post(`${API}/pulls`).reply(422, { message: 'Invalid PullRequest: There are no changes\nbetween the head and the base', url: `${GITEA_URL}/api/swagger` });
    const error = await forgeError(createPull(client, ref, { head: 'x', base: 'main', title: 't', body: '', labels: [] }));
    expect(error.status).toBe(422);
    expect(error.message).toBe(
      'Gitea API POST /repos/acme/widgets/pulls failed: 422 Invalid PullRequest: There are no changes between the head and the base',
    );
  });

  it('never carries the token, even when the server echoes it back', async () => {
    giteaApi()
      .get(API)
      .reply(401, { message: `token is invalid: Authorization: token ${GITEA_TOKEN} (${GITEA_TOKEN})` });
    const error = await forgeError(getRepo(client, ref));
    expect(error.status).toBe(401);
    expect(error.message).not.toContain(GITEA_TOKEN);
    expect(error.message).toContain('[REDACTED]');
    expect(inspect(error, { depth: 10 })).not.toContain(GITEA_TOKEN);
  });

  it('a proxy\u2019s HTML error page is one short line', async () => {
    giteaApi().get(API).reply(502, `<html>\n<body>\n${'bad gateway '.repeat(100)}</body></html>`);
    const error = await forgeError(getRepo(client, ref));
    expect(error.message).not.toContain('\n');
    expect(error.message.length).toBeLessThan(420);
    expect(error.message).toMatch(/^Gitea API GET \/repos\/acme\/widgets failed: 502 <html> <body> bad gateway/);
  });

  it('a network failure is a ForgeError without status and without the token', async () => {
    nock(GITEA_URL).get(API).replyWithError(`connect ECONNREFUSED (token ${GITEA_TOKEN})`);
    const error = await forgeError(getRepo(client, ref));
    expect(error.status).toBeNull();
    expect(error.message).toMatch(/^Gitea API GET \/repos\/acme\/widgets failed: network error /);
    expect(inspect(error, { depth: 10 })).not.toContain(GITEA_TOKEN);
  });

  it('a 2xx answer of the wrong shape or not JSON is a ForgeError naming the field', async () => {
    giteaApi().get(API).reply(200, { name: REPO });
    expect((await forgeError(getRepo(client, ref))).message).toMatch(/unexpected shape: default_branch:/);

    giteaApi().get(API).reply(200, '<html>login</html>');
    expect((await forgeError(getRepo(client, ref))).message).toMatch(/failed: 200 answered with a body that is not JSON$/);

    giteaApi()
      .get(`${API}/pulls`)
      .query(true)
      .reply(200, [{ ...giteaPull({ number: 1, head: 'x' }), state: 'merged' }]);
    expect((await forgeError(listPulls(client, ref, 'all'))).message).toMatch(/unexpected shape: 0\.state:/);
  });
});
