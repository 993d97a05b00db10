import { createHmac, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import nock from 'nock';
import { run, type Server } from 'probot';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import app from '../../src/index.js';
import { git, type FixtureRepo } from '../helpers/fixture-repo.js';
import { captureLogger, createGitHubMock, mockCreateComment, mockGetRepo, mockPermission, mockReaction, type GitHubMock } from '../helpers/github-mocks.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { githubCommentPayload, servedFixture } from '../app/app-fixtures.js';
import { postedComments, TestOctokit } from '../app/probot-harness.js';

/**
 * `npm start` is `probot run ./dist/index.js`: Probot's `run` with the app from src/index.ts.
 * Here `run` is called the same way, once per process role, over one real PostgreSQL: the web
 * process takes the signed webhook, the worker process (its own data directory, as on another
 * machine) runs the job and replies. GitHub is nock, checked against its API description.
 */

const SECRET = 'probot-roles-webhook-secret';
const TOKEN = `ghs_${'R0les'.repeat(8)}`;
const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

let db: TestPostgres;
let databases = 0;
let repo: FixtureRepo | null = null;
const running: Array<{ server: Server; shutdown: () => Promise<void> }> = [];
const savedEnv = { ...process.env };

beforeAll(async () => {
  db = await startPostgres();
}, 120_000);
afterEach(async () => {
  for (const process of running.splice(0)) await process.shutdown();
  vi.restoreAllMocks();
  process.env = { ...savedEnv };
  repo?.cleanup();
  repo = null;
  nock.cleanAll();
  nock.enableNetConnect();
});
afterAll(async () => db?.stop());

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * `probot run` in this process for one role: the app reads our settings from process.env at
 * load, Probot its own from `env`. Its SIGTERM handler (graceful shutdown, then exit) is kept
 * aside and called by `shutdown`, with process.exit caught.
 */
async function startRole(role: 'web' | 'worker' | 'all', env: { databaseUrl: string; dataDir: string; base: string }): Promise<{ url: string; shutdown: () => Promise<void> }> {
  const port = await freePort();
  process.env = {
    ...savedEnv,
    SCRUM_APPLY_ROLE: role,
    DATABASE_URL: env.databaseUrl,
    SCRUM_APPLY_LLM_URL: 'http://127.0.0.1:9/v1',
    SCRUM_APPLY_DATA_DIR: env.dataDir,
    SCRUM_APPLY_GIT_BASE_URL: env.base,
  };
  const before = { term: process.listeners('SIGTERM'), int: process.listeners('SIGINT') };
  const server = await run(app, {
    env: { APP_ID: '123', PRIVATE_KEY: privateKey, WEBHOOK_SECRET: SECRET, HOST: '127.0.0.1', PORT: String(port), NODE_ENV: 'test' },
    Octokit: TestOctokit,
    log: captureLogger([TOKEN]).logger,
  });
  const added = process.listeners('SIGTERM').filter((listener) => !before.term.includes(listener));
  for (const listener of added) process.removeListener('SIGTERM', listener);
  for (const listener of process.listeners('SIGINT').filter((l) => !before.int.includes(l))) process.removeListener('SIGINT', listener);
  expect(added).toHaveLength(1);
  const shutdown = async () => {
    const exited = new Promise<number | undefined>((resolve) => {
      vi.spyOn(process, 'exit').mockImplementation(((code?: number) => resolve(code)) as typeof process.exit);
    });
    added[0]?.('SIGTERM');
    expect(await exited).toBe(0);
    vi.restoreAllMocks();
    await server.stop();
  };
  running.push({ server, shutdown });
  return { url: `http://127.0.0.1:${port}`, shutdown };
}

/** The fixture repository with an empty review log committed (the demo ignores data/_kb/): a run with nothing to do. */
function servedWithReviewLog(): ReturnType<typeof servedFixture> {
  const served = servedFixture();
  mkdirSync(join(served.repo.dir, 'data/_kb'), { recursive: true });
  writeFileSync(join(served.repo.dir, 'data/_kb/scrum_reviews.jsonl'), '');
  git(served.repo.dir, 'add', '-f', 'data/_kb/scrum_reviews.jsonl');
  served.repo.commitAll('review log');
  return served;
}

async function deliver(url: string, delivery: string): Promise<number> {
  const body = JSON.stringify(githubCommentPayload({ body: '/scrum-apply dry-run', commentId: 4242, issueNumber: 7 }));
  const response = await fetch(`${url}/api/github/webhooks`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'issue_comment',
      'x-github-delivery': delivery,
      'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
    },
    body,
  });
  await response.text();
  return response.status;
}

/** GitHub for one command: installation tokens, 👀, the permission check, the default branch and the reply — which resolves `replied`. */
function mockGitHub(): { mock: GitHubMock; tokens: nock.Scope; replied: Promise<void> } {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  const tokens = nock('https://api.github.com')
    .post('/app/installations/1/access_tokens')
    .times(2)
    .reply(201, { token: TOKEN, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: {}, repository_selection: 'all' });
  const mock = createGitHubMock({ token: TOKEN });
  mockReaction(mock, 4242);
  mockPermission(mock, 'octocat', { payload: { permission: 'admin', role_name: 'admin', user: { login: 'octocat' } } });
  // The worker: the default branch to run on, then the reply.
  mockGetRepo(mock);
  mockCreateComment(mock, 7, 900);
  const replied = new Promise<void>((resolve) =>
    mock.scope.on('replied', (req: { method: string; path: string }) => {
      if (req.method === 'POST' && req.path.endsWith('/issues/7/comments')) resolve();
    }),
  );
  return { mock, tokens, replied };
}

describe('npm start (Probot) in each role, over one PostgreSQL', () => {
  it('web acknowledges and queues a signed comment; a separate worker process runs it and replies once', async () => {
    const served = servedWithReviewLog();
    repo = served.repo;
    const databaseUrl = await db.createDatabase(`probot_${(databases += 1)}`);
    const { mock, tokens, replied } = mockGitHub();
    const web = await startRole('web', { databaseUrl, dataDir: join(repo.root, 'web-data'), base: served.base });

    expect(await deliver(web.url, 'probot-roles-1')).toBe(200);
    // Queued in PostgreSQL, no worker yet: nothing ran, nothing was cloned.
    const queued = (await (await fetch(`${web.url}/healthz`)).json()) as Record<string, unknown>;
    expect(queued).toEqual({ status: 'ok', jobs: { queued: 0, running: 0 }, queue: { backend: 'pg-boss', queued: 1, running: 0, deadLettered: 0 } });
    expect(postedComments(mock)).toEqual([]);

    const workerData = join(repo.root, 'worker-data');
    await startRole('worker', { databaseUrl, dataDir: workerData, base: served.base });
    await replied;
    mock.done();
    expect(tokens.isDone()).toBe(true);
    const replies = postedComments(mock);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain('scrum-apply results for `/scrum-apply dry-run` (requested by octocat)');
    // The worker cloned and ran it; the web process never touched the repository.
    expect(existsSync(join(workerData, 'repos', 'github', 'acme', 'widgets'))).toBe(true);
    expect(existsSync(join(repo.root, 'web-data', 'repos'))).toBe(false);
  });

  it('all: one process receives and runs, through the same PostgreSQL queue', async () => {
    const served = servedWithReviewLog();
    repo = served.repo;
    const databaseUrl = await db.createDatabase(`probot_${(databases += 1)}`);
    const { mock, replied } = mockGitHub();
    const dataDir = join(repo.root, 'all-data');
    const all = await startRole('all', { databaseUrl, dataDir, base: served.base });
    expect(await deliver(all.url, 'probot-roles-2')).toBe(200);
    await replied;
    mock.done();
    expect(postedComments(mock)).toEqual([expect.stringContaining('dry run, 0 file(s) processed')]);
    expect(existsSync(join(dataDir, 'repos', 'github', 'acme', 'widgets'))).toBe(true);
  });
});
