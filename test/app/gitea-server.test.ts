import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunOptions, RunReport } from '../../src/pipeline/run-types.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import type { FixtureRepo } from '../helpers/fixture-repo.js';
import { createGiteaIssueMock, mockGiteaCreateIssue, mockGiteaListIssues, sentDashboardBody } from '../helpers/dashboard-mocks.js';
import { giteaLabel } from '../helpers/gitea-mocks.js';
import { captureLogger } from '../helpers/github-mocks.js';
import { deferred, fakeReport, giteaCommentPayload, servedFixture, type CommentOptions } from './app-fixtures.js';

const GITEA_URL = 'https://gitea.example.test';
const GITEA_TOKEN = 'gitea-bot-token-5d1c9a7e3f';
const SECRET = 'gitea-webhook-secret-8e2f';
const API = '/api/v1/repos/acme/widgets';

interface Rig {
  server: RunningServer;
  repo: FixtureRepo;
  dataDir: string;
  calls: RunOptions[];
  lines: string[];
  api: nock.Scope;
  comments: string[];
  pipeline: (options: RunOptions) => Promise<RunReport>;
}

let rig: Rig | null = null;
afterEach(async () => {
  await rig?.server.close();
  rig?.repo.cleanup();
  rig = null;
  nock.cleanAll();
  nock.enableNetConnect();
});

function baseEnv(dataDir: string, base: string): NodeJS.ProcessEnv {
  return {
    HOST: '127.0.0.1',
    PORT: '0',
    SCRUM_APPLY_LLM_URL: 'http://127.0.0.1:9/v1',
    SCRUM_APPLY_DATA_DIR: dataDir,
    SCRUM_APPLY_GIT_BASE_URL: base,
    GITEA_URL,
    GITEA_TOKEN,
    GITEA_WEBHOOK_SECRET: SECRET,
  };
}

async function start(extraEnv: NodeJS.ProcessEnv = {}): Promise<Rig> {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  const { repo, base } = servedFixture();
  const dataDir = join(repo.root, 'data');
  const { logger, lines } = captureLogger([GITEA_TOKEN, SECRET]);
  const comments: string[] = [];
  const calls: RunOptions[] = [];
  const api = nock(GITEA_URL, { reqheaders: { authorization: `token ${GITEA_TOKEN}` } });
  const partial = { repo, dataDir, calls, lines, api, comments, pipeline: async () => fakeReport({ forge: 'gitea' }) };
  const server = await startServer(
    { ...baseEnv(dataDir, base), ...extraEnv },
    {
      logger,
      runPipeline: (options) => {
        calls.push(options);
        return current.pipeline(options);
      },
    },
  );
  const current: Rig = { ...partial, server };
  return current;
}

function sign(body: string | Buffer, secret = SECRET): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

async function deliver(
  r: Rig,
  body: string,
  headers: Record<string, string | undefined> = {},
): Promise<{ status: number; message: string }> {
  const all: Record<string, string> = {};
  const defaults = { 'content-type': 'application/json', 'x-gitea-event': 'issue_comment', 'x-gitea-delivery': crypto.randomUUID(), 'x-gitea-signature': sign(body) };
  for (const [name, value] of Object.entries({ ...defaults, ...headers })) if (value !== undefined) all[name] = value;
  const response = await fetch(`${r.server.url}/api/gitea/webhook`, { method: 'POST', headers: all, body });
  const json: unknown = await response.json();
  return { status: response.status, message: typeof json === 'object' && json !== null && 'message' in json ? String(json.message) : '' };
}

function comment(options: Partial<CommentOptions> = {}): string {
  return JSON.stringify(giteaCommentPayload({ body: '/scrum-apply', ...options }));
}

function mockPermission(r: Rig, permission: string, status = 200): void {
  r.api.get(`${API}/collaborators/maintainer/permission`).reply(status, status === 200 ? { permission, role_name: permission, user: { id: 3, login: 'maintainer' } } : { message: 'error' });
}

function mockReaction(r: Rig, commentId = 4242): void {
  r.api.post(`${API}/issues/comments/${commentId}/reactions`, { content: 'eyes' }).reply(201, { user: { id: 9, login: 'scrum-bot' }, content: 'eyes', created_at: '2024-05-01T09:06:00Z' });
}

function mockReply(r: Rig): void {
  r.api.post(`${API}/issues/7/comments`).reply(201, (_uri, body) => {
    r.comments.push(typeof body === 'object' && body !== null && 'body' in body ? String(body.body) : '');
    return { id: 5000 + r.comments.length, html_url: `${GITEA_URL}/acme/widgets/issues/7#issuecomment-${5000 + r.comments.length}`, body: '' };
  });
}

function mockRepo(r: Rig): void {
  r.api.get(API).reply(200, { id: 7, name: 'widgets', full_name: 'acme/widgets', default_branch: 'main' });
}

describe('the server for Gitea', () => {
  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['missing', undefined],
  ])('refuses to start when GITEA_WEBHOOK_SECRET is %s', async (_what, secret) => {
    const env: NodeJS.ProcessEnv = { ...baseEnv('/tmp/unused-data', '/tmp/unused-base'), GITEA_WEBHOOK_SECRET: secret };
    await expect(startServer(env, { logger: captureLogger([]).logger })).rejects.toThrow(/GITEA_WEBHOOK_SECRET is empty or missing/);
  });

  it('starts without GitHub App credentials and answers /healthz; the GitHub webhook path does not exist', async () => {
    rig = await start();
    const health = await fetch(`${rig.server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', jobs: { queued: 0, running: 0 } });
    const github = await fetch(`${rig.server.url}/api/github/webhooks`, { method: 'POST', body: '{}' });
    expect(github.status).toBe(404);
  });

  it.each([
    ['a missing signature', { 'x-gitea-signature': undefined }],
    ['an empty signature', { 'x-gitea-signature': '' }],
    ['a wrong signature', { 'x-gitea-signature': sign('other body') }],
    ['a signature with another secret', { 'x-gitea-signature': sign('not json at all', 'other-secret') }],
    ['a short signature', { 'x-gitea-signature': 'abcd' }],
  ])('answers 401 to %s, before parsing anything', async (_what, headers) => {
    rig = await start();
    const result = await deliver(rig, 'not json at all', headers);
    expect(result).toEqual({ status: 401, message: 'bad signature' });
    expect(rig.lines.join('')).toContain('bad signature refused');
  });

  it('answers 401 to a signature of the re-serialised body', async () => {
    rig = await start();
    const raw = comment().replace('{', '{ ');
    const result = await deliver(rig, raw, { 'x-gitea-signature': sign(JSON.stringify(JSON.parse(raw))) });
    expect(result.status).toBe(401);
    expect(rig.calls).toEqual([]);
  });

  it('ignores other events and edited comments, and rejects a malformed payload', async () => {
    rig = await start();
    expect(await deliver(rig, comment(), { 'x-gitea-event': 'push' })).toEqual({ status: 202, message: 'event push ignored' });
    expect(await deliver(rig, comment({ action: 'edited' }))).toEqual({ status: 202, message: 'action edited ignored' });
    const bad = JSON.stringify({ action: 'created', comment: { id: 'x' } });
    expect((await deliver(rig, bad)).status).toBe(400);
    expect((await deliver(rig, comment(), { 'x-gitea-delivery': undefined })).status).toBe(400);
    expect(rig.calls).toEqual([]);
  });

  it('runs a permitted command end to end through the server: 👀, clone, pipeline, one reply', async () => {
    rig = await start();
    const release = deferred<void>();
    rig.pipeline = async () => {
      await release.promise;
      return fakeReport({ forge: 'gitea', dryRun: true });
    };
    mockPermission(rig, 'write');
    mockReaction(rig);
    mockRepo(rig);
    mockReply(rig);
    const result = await deliver(rig, comment({ body: '/scrum-apply dry-run' }));
    // Answered while the job still runs.
    expect(result).toEqual({ status: 200, message: 'queued' });
    expect(rig.comments).toEqual([]);
    release.resolve();
    await rig.server.service.onIdle();

    expect(rig.calls).toHaveLength(1);
    expect(rig.calls[0]).toMatchObject({
      repoDir: join(rig.dataDir, 'repos', 'gitea', 'acme', 'widgets'),
      apply: false,
      trigger: 'comment',
      actor: 'maintainer',
      gitAuth: { username: 'scrum-apply', token: GITEA_TOKEN },
      auditLogPath: join(rig.dataDir, 'audit', 'gitea', 'acme', 'widgets.jsonl'),
    });
    expect(rig.calls[0]?.forge?.kind).toBe('gitea');
    expect(rig.comments).toHaveLength(1);
    expect(rig.comments[0]).toContain('scrum-apply results for `/scrum-apply dry-run` (requested by maintainer)');
    expect(rig.api.isDone()).toBe(true);
    expect(rig.lines.join('')).not.toContain(GITEA_TOKEN);
  });

  it('an applied command writes the dashboard issue, with the "Run scrum-apply now" box (the server listens for it)', async () => {
    rig = await start();
    mockPermission(rig, 'write');
    mockReaction(rig);
    mockRepo(rig);
    mockReply(rig);
    rig.api.get(`${API}/labels`).query({ limit: '50', page: '1' }).reply(200, [giteaLabel(3, 'scrum-apply')]);
    const issues = createGiteaIssueMock({ url: GITEA_URL, owner: 'acme', repo: 'widgets' }, GITEA_TOKEN);
    mockGiteaListIssues(issues, 'scrum-apply', [[]]);
    mockGiteaCreateIssue(issues, 31);
    expect(await deliver(rig, comment({ body: '/scrum-apply' }))).toEqual({ status: 200, message: 'queued' });
    await rig.server.service.onIdle();

    expect(rig.calls[0]).toMatchObject({ apply: true });
    issues.done();
    expect(rig.api.isDone()).toBe(true);
    expect(issues.writes()[0]?.body).toMatchObject({ title: 'scrum-apply dashboard', labels: [3] });
    const body = sentDashboardBody(issues.requests) ?? '';
    expect(body).toContain('- [ ] <!-- scrum-apply:run-now --> Run scrum-apply now');
    expect(body).toMatch(/^Last run: .* \(comment by `maintainer`\)/mu);
  });

  it.each([
    ['read', 200, /yours is `read`/],
    ['unknown (404)', 404, /yours is `none`/],
    ['unreadable (403: the token is not a repository admin)', 403, /could not confirm your permission/],
  ])('refuses a %s user: a polite reply, no clone, no run', async (_who, status, expected) => {
    rig = await start();
    mockPermission(rig, 'read', status);
    mockReply(rig);
    expect(await deliver(rig, comment())).toEqual({ status: 200, message: 'refused' });
    await rig.server.service.onIdle();
    expect(rig.comments).toEqual([expect.stringMatching(expected)]);
    expect(rig.calls).toEqual([]);
    expect(existsSync(join(rig.dataDir, 'repos'))).toBe(false);
    expect(rig.api.isDone()).toBe(true);
  });

  it('runs a redelivery (same X-Gitea-Delivery) once', async () => {
    rig = await start();
    mockPermission(rig, 'admin');
    mockReaction(rig);
    mockRepo(rig);
    mockReply(rig);
    const body = comment();
    expect(await deliver(rig, body, { 'x-gitea-delivery': 'gitea-delivery-1' })).toEqual({ status: 200, message: 'queued' });
    expect(await deliver(rig, body, { 'x-gitea-delivery': 'gitea-delivery-1' })).toEqual({ status: 200, message: 'ignored' });
    await rig.server.service.onIdle();
    expect(rig.calls).toHaveLength(1);
    expect(rig.api.isDone()).toBe(true);
  });

  it('closes gracefully: stops accepting, and audits a job cut off by the deadline', async () => {
    rig = await start({ SCRUM_APPLY_SHUTDOWN_GRACE_SECONDS: '0' });
    const started = deferred<void>();
    rig.pipeline = (options) =>
      new Promise((_resolve, reject) => {
        started.resolve();
        options.signal?.addEventListener('abort', () => reject(new Error('aborted')));
      });
    mockPermission(rig, 'write');
    mockReaction(rig);
    mockRepo(rig);
    mockReply(rig);
    await deliver(rig, comment());
    await started.promise;
    const server = rig.server;
    await server.close();
    await server.service.onIdle();
    const audit = readFileSync(join(rig.dataDir, 'audit', 'gitea', 'acme', 'widgets.jsonl'), 'utf8');
    expect(audit).toContain('"error":"interrupted by shutdown"');
    expect(rig.comments).toEqual([expect.stringMatching(/the server shut down before the run finished/)]);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    rig = { ...rig, server: { ...server, close: async () => undefined } };
  });
});
