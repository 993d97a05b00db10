import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatForge, Forge } from '../../src/forge/types.js';
import type { CommandJob } from '../../src/jobs/command-job.js';
import type { JobAttempt } from '../../src/jobs/command-queue.js';
import { createCommentJobRunner } from '../../src/jobs/comment-job.js';
import { ReviewLogError } from '../../src/reviews/read-reviews.js';
import { createPgBossQueue, type PgBossQueue } from '../../src/jobs/pg-boss-queue.js';
import { normalizedArguments } from '../../src/jobs/parse-command.js';
import type { RepoCache } from '../../src/jobs/repo-cache.js';
import { createLogger } from '../../src/log/logger.js';
import { createRedactor } from '../../src/log/redact.js';
import { createCommandService } from '../../src/server/command-service.js';
import { createHealthzHandler } from '../../src/server/healthz.js';
import type { CommentEvent } from '../../src/server/handle-command.js';
import { deferred } from '../app/app-fixtures.js';
import { fakeForge } from '../helpers/publish-fixtures.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

const TOKEN = 'ghs_receivertoken0123456789';
let db: TestPostgres;
let databases = 0;
const opened: PgBossQueue[] = [];

beforeAll(async () => {
  db = await startPostgres();
}, 120_000);
afterAll(async () => {
  await Promise.all(opened.map((q) => q.close(0)));
  await db?.stop();
});

/** A logger whose lines a test can wait for by message. */
function watchedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<{ msg: string; resolve: (line: Record<string, unknown>) => void }> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const line = JSON.parse(chunk.toString()) as Record<string, unknown>;
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.msg !== line.msg) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
      callback();
    },
  });
  return {
    logger: createLogger({ redact: createRedactor([TOKEN]), level: 'debug', destination }),
    lines,
    next: (msg: string) => new Promise<Record<string, unknown>>((resolve) => waiters.push({ msg, resolve })),
  };
}

async function freshDatabase(): Promise<string> {
  return db.createDatabase(`queue_${(databases += 1)}`);
}

async function openQueue(url: string, logger = watchedLogger().logger, tuning: { retryLimit?: number; concurrency?: number } = {}) {
  const queue = await createPgBossQueue({
    databaseUrl: url,
    concurrency: tuning.concurrency ?? 2,
    expirySeconds: 30,
    retryLimit: tuning.retryLimit ?? 2,
    retryDelaySeconds: 1,
    pollMs: 50,
    maintenanceSeconds: 1,
    logger,
    redact: createRedactor([TOKEN]),
  });
  opened.push(queue);
  return queue;
}

function job(repo: string, delivery: string, paths: string[] = []): CommandJob {
  return {
    ref: { forge: 'github', owner: 'acme', repo },
    installationId: 678,
    serverUrl: null,
    command: { type: 'command', dryRun: true, force: false, paths },
    actor: 'maintainer',
    issueNumber: 12,
    commentId: 345,
    deliveryId: delivery,
  };
}
const keyOf = (j: CommandJob) => ({ repo: `github:acme/${j.ref.repo}`, command: normalizedArguments(j.command), deliveryId: j.deliveryId });

function receivingForge(): Forge & ChatForge & { comments: string[] } {
  const comments: string[] = [];
  return {
    ...fakeForge(),
    comments,
    getPermission: async () => 'write',
    createComment: async (_issue, body) => {
      comments.push(body);
      return { id: 1, url: 'https://forge.test/c/1' };
    },
    reactToComment: async () => undefined,
    defaultBranch: async () => 'main',
  };
}

describe('the pg-boss queue (real PostgreSQL)', () => {
  it('keeps a job as data in PostgreSQL — no token in any job row — and refuses a redelivery or the same command across processes', async () => {
    const url = await freshDatabase();
    const web1 = await openQueue(url);
    const web2 = await openQueue(url);
    const { logger } = watchedLogger();
    const service = createCommandService({ runJob: null, connect: async () => Promise.reject(new Error('unused')), dataDir: mkdtempSync(join(tmpdir(), 'sa-q-')), logger, redact: createRedactor([TOKEN]), queue: web1 });
    const event: CommentEvent = {
      ref: { forge: 'github', owner: 'acme', repo: 'widgets' },
      issueNumber: 12,
      commentId: 345,
      body: '/scrum-apply dry-run src/lib.rs',
      author: 'maintainer',
      authorIsBot: false,
      deliveryId: 'delivery-1',
      installationId: 678,
      serverUrl: null,
    };
    expect(await service.handle(event, receivingForge())).toEqual({ type: 'queued' });

    // Another web process sees the same database: the delivery and the command are known.
    expect(await web2.isRedelivery('delivery-1')).toBe(true);
    const same = job('widgets', 'delivery-2', ['src/lib.rs']);
    expect(await web2.enqueue(keyOf(same), same)).toBe('duplicate');
    expect(await web2.enqueue(keyOf(job('widgets', 'delivery-1', ['other.rs'])), job('widgets', 'delivery-1', ['other.rs']))).toBe('redelivery');
    expect((await web2.health()).queued).toBe(1);

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const rows = await client.query('SELECT to_jsonb(j)::text AS row FROM pgboss.job j');
    await client.end();
    expect(rows.rows).toHaveLength(1);
    const row = rows.rows[0].row as string;
    expect(row).toContain('delivery-1');
    expect(row).not.toContain(TOKEN);
    expect(row).not.toMatch(/ghs_|token|secret|password/iu);

    // A worker takes it; once it has finished, the same command may be queued again.
    const ran = deferred<CommandJob>();
    web2.work(async (j) => ran.resolve(j));
    expect((await ran.promise).deliveryId).toBe('delivery-1');
    await web2.onIdle();
    expect(await web2.enqueue(keyOf(same), same)).toBe('queued');
  });

  it('runs one job per repository at a time across workers, and other repositories go past a busy one', async () => {
    const url = await freshDatabase();
    const web = await openQueue(url);
    const jobs = [job('a', 'a1', ['1']), job('a', 'a2', ['2']), job('a', 'a3', ['3']), job('b', 'b1', ['1']), job('b', 'b2', ['2']), job('c', 'c1', ['1'])];
    for (const j of jobs) expect(await web.enqueue(keyOf(j), j)).toBe('queued');
    const releaseA1 = deferred<void>();
    const othersDone = deferred<void>();
    const allDone = deferred<void>();
    const running = new Map<string, number>();
    const order: string[] = [];
    let overlap = false;
    const runner = async (j: CommandJob) => {
      const n = (running.get(j.ref.repo) ?? 0) + 1;
      running.set(j.ref.repo, n);
      if (n > 1) overlap = true;
      order.push(j.deliveryId);
      if (j.deliveryId === 'a1') await releaseA1.promise;
      running.set(j.ref.repo, (running.get(j.ref.repo) ?? 1) - 1);
      if (['b1', 'b2', 'c1'].every((d) => order.includes(d)) && !order.includes('a2')) othersDone.resolve();
      if (order.length === jobs.length) allDone.resolve();
    };
    const w1 = await openQueue(url);
    const w2 = await openQueue(url);
    w1.work(runner);
    w2.work(runner);
    // a2 is older than b1, but a1 is running: b and c run meanwhile.
    await othersDone.promise;
    expect(order).not.toContain('a2');
    releaseA1.resolve();
    await allDone.promise;
    await Promise.all([w1.onIdle(), w2.onIdle()]);
    expect(overlap).toBe(false);
    expect(order.filter((d) => d.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
  });

  it('retries an infrastructure failure with back-off, then dead-letters it: counted by health and logged', async () => {
    const url = await freshDatabase();
    const watched = watchedLogger();
    const queue = await openQueue(url, watched.logger, { retryLimit: 1 });
    const attempts: JobAttempt[] = [];
    const deadLettered = watched.next('job dead-lettered');
    queue.work(async (_job, _signal, attempt) => {
      attempts.push(attempt);
      throw new Error('the forge is unreachable');
    });
    const j = job('widgets', 'd-1');
    expect(await queue.enqueue(keyOf(j), j)).toBe('queued');
    const line = await deadLettered;
    expect(line).toMatchObject({ delivery: 'd-1', err: 'the forge is unreachable', level: 50 });
    expect(attempts).toEqual([
      { durable: true, retriesLeft: 1 },
      { durable: true, retriesLeft: 0 },
    ]);
    await queue.onIdle();
    expect(await queue.health()).toEqual({ backend: 'pg-boss', queued: 0, running: 0, deadLettered: 1 });
    // The count the dashboard issue shows, across processes: another process's queue sees it too.
    expect(await queue.deadLetters()).toBe(1);
    const other = await openQueue(url);
    expect(await other.deadLetters()).toBe(1);

    // GET /healthz, as the servers mount it, over HTTP.
    const healthz = createHealthzHandler(() => other.stats(), () => other.health());
    const server = createServer((req, res) => void healthz(req, res).then((answered) => answered || res.writeHead(404).end()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        status: 'ok',
        jobs: { queued: 0, running: 0 },
        queue: { backend: 'pg-boss', queued: 0, running: 0, deadLettered: 1 },
      });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('shuts a worker down gracefully: its running job goes back to the queue, without spending a retry, and another worker runs it', async () => {
    const url = await freshDatabase();
    const w1 = await openQueue(url);
    const w2 = await openQueue(url);
    const started = deferred<void>();
    w1.work(async (_job, signal) => {
      started.resolve();
      await new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    });
    const j = job('widgets', 'd-1');
    await w1.enqueue(keyOf(j), j);
    await started.promise;
    expect(await w1.close(50)).toEqual([]);
    const rerun = deferred<JobAttempt>();
    w2.work(async (_job, _signal, attempt) => rerun.resolve(attempt));
    expect(await rerun.promise).toEqual({ durable: true, retriesLeft: 2 });
  });

  it('answers a retried command once: the reply is recorded by delivery; an infrastructure failure before the last attempt says nothing', async () => {
    const url = await freshDatabase();
    const queue = await openQueue(url);
    const forge = receivingForge();
    let branchCalls = 0;
    const run = createCommentJobRunner({
      connect: async () => ({
        forge: {
          ...forge,
          defaultBranch: async () => {
            branchCalls += 1;
            throw new Error('connect ECONNREFUSED');
          },
        },
        gitAuth: null,
      }),
      dataDir: mkdtempSync(join(tmpdir(), 'sa-q-')),
      repoCache: {} as RepoCache,
      gitBaseUrls: { github: 'https://github.com', gitea: '' },
      envConfig: {},
      llm: { url: 'http://127.0.0.1:9/v1' },
      runPipeline: async () => Promise.reject(new Error('not reached')),
      logger: watchedLogger().logger,
      secrets: [],
      replies: queue.replies,
      audit: queue.audit,
    });
    const j = job('widgets', 'd-1');
    const signal = new AbortController().signal;
    await expect(run(j, signal, { durable: true, retriesLeft: 1 })).rejects.toThrow('ECONNREFUSED');
    expect(forge.comments).toEqual([]);
    // The last attempt answers and goes to the dead-letter queue; a later one does not answer again.
    await expect(run(j, signal, { durable: true, retriesLeft: 0 })).rejects.toThrow('ECONNREFUSED');
    await expect(run(j, signal, { durable: true, retriesLeft: 0 })).rejects.toThrow('ECONNREFUSED');
    expect(branchCalls).toBe(3);
    expect(forge.comments).toHaveLength(1);
    expect(forge.comments[0]).toContain('ECONNREFUSED');
    // The failure's audit row is in PostgreSQL too.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const audit = await client.query('SELECT repository, action, row FROM scrum_apply.audit_rows');
    await client.end();
    expect(audit.rows.map((r) => [r.repository, r.action, r.row.run_id])).toEqual([
      ['github:acme/widgets', 'error', 'delivery-d-1'],
      ['github:acme/widgets', 'error', 'delivery-d-1'],
    ]);
  });

  it('a repository without a review log is an answer, not an infrastructure failure: replied once on the first attempt, never retried or dead-lettered', async () => {
    const url = await freshDatabase();
    const queue = await openQueue(url);
    const forge = receivingForge();
    const cloneDir = mkdtempSync(join(tmpdir(), 'sa-q-clone-'));
    let runs = 0;
    const run = createCommentJobRunner({
      connect: async () => ({ forge, gitAuth: null }),
      dataDir: mkdtempSync(join(tmpdir(), 'sa-q-')),
      repoCache: { sync: async () => ({ dir: cloneDir, sha: 'a'.repeat(40) }) } as unknown as RepoCache,
      gitBaseUrls: { github: 'https://github.com', gitea: '' },
      envConfig: {},
      llm: { url: 'http://127.0.0.1:9/v1' },
      runPipeline: async () => {
        runs += 1;
        throw new ReviewLogError('review log not found: .scrum/reviews.jsonl');
      },
      logger: watchedLogger().logger,
      secrets: [],
      replies: queue.replies,
      audit: queue.audit,
    });
    const j = job('widgets', 'd-nolog');
    await expect(run(j, new AbortController().signal, { durable: true, retriesLeft: 2 })).resolves.toBeUndefined();
    expect(runs).toBe(1);
    expect(forge.comments).toHaveLength(1);
    expect(forge.comments[0]).toContain('review log not found: .scrum/reviews.jsonl');
  });

  it('outlives the database going away: the worker logs it, retries with back-off, and runs what is queued once it is back', async () => {
    const url = await freshDatabase();
    const watched = watchedLogger();
    const queue = await openQueue(url, watched.logger);
    const ran = deferred<string>();
    const unreachable = watched.next('database unreachable; retrying');
    queue.work(async (j) => ran.resolve(j.deliveryId));
    await db.pause();
    try {
      expect(await unreachable).toMatchObject({ level: 40, retryInMs: 500 });
    } finally {
      await db.resume();
    }
    // Back: a web process queues, the same worker takes it.
    const web = await openQueue(url);
    const j = job('widgets', 'after-outage');
    expect(await web.enqueue(keyOf(j), j)).toBe('queued');
    expect(await ran.promise).toBe('after-outage');
    await queue.onIdle();
    expect((await queue.health()).running).toBe(0);
  });

  it('stops at start with one line naming the database without its password when DATABASE_URL is wrong', async () => {
    const port = Number(new URL(db.url).port);
    const attempt = createPgBossQueue({
      databaseUrl: `postgres://scrum:hunter2-secret-pw@127.0.0.1:${port}/no_such_database`,
      concurrency: 1,
      expirySeconds: 30,
      logger: watchedLogger().logger,
      redact: createRedactor(['hunter2-secret-pw']),
    });
    const error = (await attempt.catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(new RegExp(`^cannot use the database at postgres://scrum@127\\.0\\.0\\.1:${port}/no_such_database: `, 'u'));
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain('\n');
  });
});
