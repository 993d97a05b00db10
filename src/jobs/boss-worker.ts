import type pg from 'pg';
import type PgBoss from 'pg-boss';
import type { Logger } from '../log/logger.js';
import { describeError, type Redactor } from '../log/redact.js';
import type { CommandJob } from './command-job.js';
import type { JobRunner } from './command-queue.js';
import { BOSS_SCHEMA } from './queue-tables.js';
import { repoLabel } from './repo-ref.js';

export interface BossWorkerOptions {
  boss: PgBoss;
  pool: pg.Pool;
  queue: string;
  concurrency: number;
  pollMs: number;
  parse: (data: unknown) => CommandJob;
  runner: JobRunner;
  logger: Logger;
  redact: Redactor;
}

export interface BossWorker {
  running(): number;
  onIdle(): Promise<void>;
  /** Stop taking jobs; give running ones until the deadline, then abort and release them. */
  close(deadlineMs: number): Promise<void>;
}

interface Fetched {
  id: string;
  data: unknown;
  retry_count: number;
  retry_limit: number;
  /** Identifies this attempt: a job expired and taken again starts anew. */
  started_at: string;
}

interface Running {
  job: Fetched;
  controller: AbortController;
  released: boolean;
  done: Promise<void>;
}

/**
 * The next job whose repository has no job running. pg-boss's own fetch takes the oldest job
 * and gives up when its repository is busy (the singleton index refuses it), which would hold
 * every worker behind one long job; this skips busy repositories, and the same unique index
 * still refuses a race between two workers (caught as "nothing fetched").
 */
const FETCH_SQL = 
`
    WITH next AS (
      SELECT id FROM ${BOSS_SCHEMA}.job j
      WHERE name = $1 AND state < 'active' AND start_after < now()
        AND NOT EXISTS (
          SELECT 1 FROM ${BOSS_SCHEMA}.job a
          WHERE a.name = $1 AND a.state = 'active' AND a.singleton_key = j.singleton_key)
      ORDER BY priority DESC, created_on, id
      LIMIT 1
      FOR UPDATE SKIP LOCKED
    )
    UPDATE ${BOSS_SCHEMA}.job j SET
      state = 'active',
      started_on = now(),
      retry_count = CASE WHEN j.started_on IS NOT NULL THEN j.retry_count + 1 ELSE j.retry_count END
    FROM next
    WHERE j.name = $1 AND j.id = next.id
    RETURNING j.id, j.data, j.retry_count, j.retry_limit, j.started_on::text AS started_at
  `;

const UNIQUE_VIOLATION = '23505';

/** Runs pg-boss jobs with our own fetch loop: `concurrency` slots, each one job at a time. */
export function createBossWorker(options: BossWorkerOptions): BossWorker {
  const { boss, pool, queue, logger: log, redact } = options;
  const running = new Map<string, Running>();
  const idleWaiters: Array<() => void> = [];
  let stopping = false;
  const sleeps = new Set<() => void>();

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        sleeps.delete(done);
        resolve();
      }
      sleeps.add(done);
    });
  }

  /** Retries a database call until it works (the database may be restarting), with back-off. */
  async function persist<T>(what: string, call: () => Promise<T>): Promise<T> {
    let delay = 500;
    for (;;) {
      try {
        return await call();
      } catch (error) {
        log.warn({ err: describeError(error, redact), retryInMs: delay, what }, 'database unreachable; retrying');
        await sleep(delay);
        delay = Math.min(delay * 2, 30_000);
      }
    }
  }

  /** Runs `finish` only while this attempt still owns the job (not expired and taken by another). */
  async function whileOwned(job: Fetched, finish: (db: PgBoss.Db) => Promise<unknown>): Promise<boolean> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const owned = await client.query(
        `SELECT 1 FROM ${BOSS_SCHEMA}.job WHERE name = $1 AND id = $2 AND state = 'active' AND started_on::text = $3 FOR UPDATE`,
        [queue, job.id, job.started_at],
      );
      if (owned.rowCount === 1) await finish({ executeSql: (text, values) => client.query(text, values) });
      await client.query('COMMIT');
      return owned.rowCount === 1;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async function fetchOne(): Promise<Fetched | null> {
    try {
      const result = await pool.query<Fetched>(FETCH_SQL, [queue]);
      return result.rows[0] ?? null;
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return null;
      throw error;
    }
  }

  async function runOne(fetched: Fetched): Promise<void> {
    const retriesLeft = Math.max(0, fetched.retry_limit - fetched.retry_count);
    const entry: Running = { job: fetched, controller: new AbortController(), released: false, done: Promise.resolve() };
    let job: CommandJob;
    try {
      job = options.parse(fetched.data);
    } catch (error) {
      // Not a job this version understands: retrying cannot help.
      log.error({ job: fetched.id, err: describeError(error, redact) }, 'job dead-lettered');
      await persist('fail', () => whileOwned(fetched, (db) => boss.fail(queue, fetched.id, { message: 'unreadable job' }, { db })));
      return;
    }
    const jobLog = log.child({ job: fetched.id, repository: repoLabel(job.ref), delivery: job.deliveryId, attempt: fetched.retry_count + 1 });
    running.set(fetched.id, entry);
    entry.done = (async () => {
      try {
        await options.runner(job, entry.controller.signal, { durable: true, retriesLeft });
        if (entry.released) return;
        const owned = await persist('complete', () => whileOwned(fetched, (db) => boss.complete(queue, fetched.id, {}, { db })));
        if (!owned) jobLog.warn('job ran past its expiry; another attempt owns it now');
      } catch (error) {
        if (entry.released) return;
        const message = describeError(error, redact);
        await persist('fail', () => whileOwned(fetched, (db) => boss.fail(queue, fetched.id, { message }, { db })));
        if (retriesLeft > 0) jobLog.warn({ err: message, retriesLeft }, 'job failed; it will be retried');
        else jobLog.error({ err: message }, 'job dead-lettered');
      }
    })();
    await entry.done;
    running.delete(fetched.id);
    if (running.size === 0) for (const resolve of idleWaiters.splice(0)) resolve();
  }

  async function slot(): Promise<void> {
    let delay = 500;
    while (!stopping) {
      let fetched: Fetched | null;
      try {
        fetched = await fetchOne();
        delay = 500;
      } catch (error) {
        log.warn({ err: describeError(error, redact), retryInMs: delay }, 'database unreachable; retrying');
        await sleep(delay);
        delay = Math.min(delay * 2, 30_000);
        continue;
      }
      if (fetched === null) {
        await sleep(options.pollMs);
        continue;
      }
      await runOne(fetched);
    }
  }

  const slots = Array.from({ length: options.concurrency }, () => slot());

  return {
    running: () => running.size,
    onIdle: () => (running.size === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve))),
    async close(deadlineMs) {
      stopping = true;
      for (const done of [...sleeps]) done();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, deadlineMs);
      });
      await Promise.race([Promise.allSettled([...running.values()].map((e) => e.done)), deadline]);
      clearTimeout(timer);
      for (const entry of running.values()) {
        // Back to the queue as it was, without spending a retry: another worker takes it.
        entry.released = true;
        entry.controller.abort(new Error('interrupted by shutdown'));
        await pool
          .query(`UPDATE ${BOSS_SCHEMA}.job SET state = 'created', started_on = NULL WHERE name = $1 AND id = $2 AND state = 'active' AND started_on::text = $3`, [
            queue,
            entry.job.id,
            entry.job.started_at,
          ])
          .then(() => log.info({ job: entry.job.id }, 'job released for another worker'))
          .catch((error: unknown) => log.warn({ job: entry.job.id, err: describeError(error, redact) }, 'could not release the job; it is retried after its expiry'));
      }
      await Promise.allSettled([...running.values()].map((e) => e.done));
      await Promise.allSettled(slots);
    },
  };
}
