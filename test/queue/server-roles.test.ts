import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunOptions } from '../../src/pipeline/run-types.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { deferred, fakeReport, giteaCommentPayload, servedFixture } from '../app/app-fixtures.js';
import type { FixtureRepo } from '../helpers/fixture-repo.js';
import { captureLogger } from '../helpers/github-mocks.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

const GITEA_URL = 'https://gitea.example.test';
const GITEA_TOKEN = 'gitea-bot-token-5d1c9a7e3f';
const SECRET = 'gitea-webhook-secret-8e2f';
const API = '/api/v1/repos/acme/widgets';

let db: TestPostgres;
let repo: FixtureRepo | null = null;
const servers: RunningServer[] = [];
beforeAll(async () => {
  db = await startPostgres();
}, 120_000);
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  repo?.cleanup();
  repo = null;
  nock.cleanAll();
  nock.enableNetConnect();
});
afterAll(async () => db?.stop());

function env(dataDir: string, base: string, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    HOST: '127.0.0.1',
    PORT: '0',
    SCRUM_APPLY_LLM_URL: 'http://127.0.0.1:9/v1',
    SCRUM_APPLY_DATA_DIR: dataDir,
    SCRUM_APPLY_GIT_BASE_URL: base,
    GITEA_URL,
    GITEA_TOKEN,
    GITEA_WEBHOOK_SECRET: SECRET,
    ...extra,
  };
}

async function deliver(url: string, body: string, delivery: string): Promise<{ status: number; message: string }> {
  const response = await fetch(`${url}/api/gitea/webhook`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-gitea-event': 'issue_comment',
      'x-gitea-delivery': delivery,
      'x-gitea-signature': createHmac('sha256', SECRET).update(body).digest('hex'),
    },
    body,
  });
  const json = (await response.json().catch(() => ({}))) as { message?: string };
  return { status: response.status, message: json.message ?? '' };
}

describe('roles over one PostgreSQL queue (SCRUM_APPLY_ROLE)', () => {
  it('web receives, checks, acknowledges and queues; a separate worker runs the job and replies once; /healthz counts the shared queue', async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    const served = servedFixture();
    repo = served.repo;
    const dataDir = join(served.repo.root, 'data');
    const databaseUrl = await db.createDatabase('roles');
    const api = nock(GITEA_URL, { reqheaders: { authorization: `token ${GITEA_TOKEN}` } });
    api.get(`${API}/collaborators/maintainer/permission`).reply(200, { permission: 'write', role_name: 'write', user: { id: 3, login: 'maintainer' } });
    api.post(`${API}/issues/comments/4242/reactions`, { content: 'eyes' }).reply(201, { user: { id: 9, login: 'scrum-bot' }, content: 'eyes', created_at: '2024-05-01T09:06:00Z' });
    api.get(API).reply(200, { id: 7, name: 'widgets', full_name: 'acme/widgets', default_branch: 'main' });
    const replies: string[] = [];
    const replied = deferred<void>();
    api.post(`${API}/issues/7/comments`).reply(201, (_uri, body) => {
      replies.push(String((body as { body?: unknown }).body));
      replied.resolve();
      return { id: 5001, html_url: `${GITEA_URL}/acme/widgets/issues/7#issuecomment-5001`, body: '' };
    });

    const webLog = captureLogger([GITEA_TOKEN, SECRET]);
    const web = await startServer(env(dataDir, served.base, { DATABASE_URL: databaseUrl, SCRUM_APPLY_ROLE: 'web' }), {
      logger: webLog.logger,
      runPipeline: async () => {
        throw new Error('the web role never runs a job');
      },
    });
    servers.push(web);
    const body = JSON.stringify(giteaCommentPayload({ body: '/scrum-apply dry-run' }));
    expect(await deliver(web.url, body, 'delivery-1')).toEqual({ status: 200, message: 'queued' });
    expect(await deliver(web.url, body, 'delivery-1')).toEqual({ status: 200, message: 'ignored' });
    const queuedHealth = (await (await fetch(`${web.url}/healthz`)).json()) as Record<string, unknown>;
    expect(queuedHealth).toEqual({ status: 'ok', jobs: { queued: 0, running: 0 }, queue: { backend: 'pg-boss', queued: 1, running: 0, deadLettered: 0 } });

    // The worker: no webhook route, only /healthz; it connects to Gitea from its own settings.
    const calls: RunOptions[] = [];
    const worker = await startServer(env(dataDir, served.base, { DATABASE_URL: databaseUrl, SCRUM_APPLY_ROLE: 'worker' }), {
      logger: captureLogger([GITEA_TOKEN, SECRET]).logger,
      runPipeline: async (options) => {
        calls.push(options);
        return fakeReport({ forge: 'gitea' });
      },
      queueTuning: { pollMs: 50, maintenanceSeconds: 1 },
    });
    servers.push(worker);
    expect((await fetch(`${worker.url}/api/gitea/webhook`, { method: 'POST', body: '{}' })).status).toBe(404);
    await replied.promise;
    await worker.service.onIdle();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ apply: false, trigger: 'comment', actor: 'maintainer' });
    expect(replies).toHaveLength(1);
    expect(api.isDone()).toBe(true);
    const done = (await (await fetch(`${worker.url}/healthz`)).json()) as { queue: Record<string, unknown> };
    expect(done.queue).toEqual({ backend: 'pg-boss', queued: 0, running: 0, deadLettered: 0 });
  });

  it('all, with DATABASE_URL: one process receives, queues in PostgreSQL, runs and replies once', async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    const served = servedFixture();
    repo = served.repo;
    const dataDir = join(served.repo.root, 'data');
    const databaseUrl = await db.createDatabase('roles_all');
    const api = nock(GITEA_URL, { reqheaders: { authorization: `token ${GITEA_TOKEN}` } });
    api.get(`${API}/collaborators/maintainer/permission`).reply(200, { permission: 'write', role_name: 'write', user: { id: 3, login: 'maintainer' } });
    api.post(`${API}/issues/comments/4242/reactions`, { content: 'eyes' }).reply(201, { user: { id: 9, login: 'scrum-bot' }, content: 'eyes', created_at: '2024-05-01T09:06:00Z' });
    api.get(API).reply(200, { id: 7, name: 'widgets', full_name: 'acme/widgets', default_branch: 'main' });
    const replies: string[] = [];
    const replied = deferred<void>();
    api.post(`${API}/issues/7/comments`).reply(201, (_uri, body) => {
      replies.push(String((body as { body?: unknown }).body));
      replied.resolve();
      return { id: 5001, html_url: `${GITEA_URL}/acme/widgets/issues/7#issuecomment-5001`, body: '' };
    });
    const calls: RunOptions[] = [];
    const all = await startServer(env(dataDir, served.base, { DATABASE_URL: databaseUrl, SCRUM_APPLY_ROLE: 'all' }), {
      logger: captureLogger([GITEA_TOKEN, SECRET]).logger,
      runPipeline: async (options) => {
        calls.push(options);
        return fakeReport({ forge: 'gitea' });
      },
      queueTuning: { pollMs: 50, maintenanceSeconds: 1 },
    });
    servers.push(all);
    const body = JSON.stringify(giteaCommentPayload({ body: '/scrum-apply dry-run' }));
    expect(await deliver(all.url, body, 'delivery-all-1')).toEqual({ status: 200, message: 'queued' });
    await replied.promise;
    await all.service.onIdle();
    expect(calls).toHaveLength(1);
    expect(replies).toHaveLength(1);
    expect(api.isDone()).toBe(true);
    const health = (await (await fetch(`${all.url}/healthz`)).json()) as { queue: Record<string, unknown> };
    expect(health.queue).toEqual({ backend: 'pg-boss', queued: 0, running: 0, deadLettered: 0 });
  });

  it('refuses a web or worker role without DATABASE_URL, and stops at start on an unreachable database without showing its password', async () => {
    const served = servedFixture();
    repo = served.repo;
    const dataDir = join(served.repo.root, 'data');
    const { logger } = captureLogger([]);
    await expect(startServer(env(dataDir, served.base, { SCRUM_APPLY_ROLE: 'worker' }), { logger })).rejects.toThrow(
      'SCRUM_APPLY_ROLE=worker needs DATABASE_URL',
    );
    const attempt = startServer(env(dataDir, served.base, { DATABASE_URL: 'postgres://scrum:pw-hunter2-x@127.0.0.1:1/scrum' }), { logger });
    const error = (await attempt.catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/^cannot use the database at postgres:\/\/scrum@127\.0\.0\.1:1\/scrum: /u);
    expect(error.message).not.toContain('hunter2');
  });
});
