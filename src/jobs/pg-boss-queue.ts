import { randomUUID } from 'node:crypto';
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { Logger } from '../log/logger.js';
import { describeError, type Redactor } from '../log/redact.js';
import type { CommandQueue, JobRunner } from './command-queue.js';
import { describeDatabaseUrl } from './database-url.js';
import { createBossWorker, type BossWorker } from './boss-worker.js';
import { parseQueuedJob } from './queued-job.js';
import { BOSS_SCHEMA, createAuditSink, createQueueTables, createReplyLedger, SCHEMA, type AuditSink, type ReplyLedger } from './queue-tables.js';

export const COMMAND_QUEUE = 'scrum-apply-commands';
export const DEAD_LETTER_QUEUE = 'scrum-apply-dead-letter';
/** A dead letter is never worked: it waits in these states until pg-boss's retention drops it. */
const DEAD_LETTER_STATES = ['created', 'retry', 'active'] as const;

export interface PgBossQueueOptions {
  databaseUrl: string;
  /** Jobs this worker runs at once (each in a different repository). */
  concurrency: number;
  /** A job still running after this long is taken to have lost its worker and is retried. */
  expirySeconds: number;
  /** Infrastructure failures retried this many times, with back-off, before the dead-letter queue (default 3). */
  retryLimit?: number;
  /** The first retry's delay; later ones double, with jitter (default 30). */
  retryDelaySeconds?: number;
  /** How often an idle worker looks for a job (default 2000 ms). */
  pollMs?: number;
  /** How often expired jobs are looked for (default 30 s). */
  maintenanceSeconds?: number;
  logger: Logger;
  redact: Redactor;
}

export interface PgBossQueue extends CommandQueue {
  replies: ReplyLedger;
  audit: AuditSink;
}

/**
 * The durable backend: jobs in PostgreSQL through pg-boss, shared by every web and worker
 * process. pg-boss's `singleton` policy (a unique index on the active job per singleton key,
 * the repository) keeps one job per repository running across all workers; a job's expiry
 * hands a dead worker's job to another; retries back off and end in a dead-letter queue.
 * Throws at once, with the URL redacted, when the database cannot be reached.
 */
export async function createPgBossQueue(options: PgBossQueueOptions): Promise<PgBossQueue> {
  const where = describeDatabaseUrl(options.databaseUrl);
  const log = options.logger.child({ component: 'queue', database: where });
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: Math.max(4, options.concurrency + 2), connectionTimeoutMillis: 10_000 });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', (error) => log.warn({ err: describeError(error, options.redact) }, 'database connection lost'));
  const boss = new PgBoss({
    connectionString: options.databaseUrl,
    schema: BOSS_SCHEMA,
    max: 4,
    maintenanceIntervalSeconds: options.maintenanceSeconds ?? 30,
    monitorStateIntervalSeconds: 60,
    schedule: false,
  });
  let lastBossError = 0;
  boss.on('error', (error) => {
    // pg-boss reports each failed maintenance round; one line a minute is enough to see an outage.
    if (Date.now() - lastBossError < 60_000) return;
    lastBossError = Date.now();
    log.warn({ err: describeError(error, options.redact) }, 'database error in the queue (retrying)');
  });

  try {
    await boss.start();
    await createQueueTables(pool);
    const retry = { retryLimit: options.retryLimit ?? 3, retryDelay: options.retryDelaySeconds ?? 30, retryBackoff: true };
    await boss.createQueue(DEAD_LETTER_QUEUE, { name: DEAD_LETTER_QUEUE, policy: 'standard', retentionDays: 30 });
    await boss.createQueue(COMMAND_QUEUE, {
      name: COMMAND_QUEUE,
      policy: 'singleton',
      expireInSeconds: options.expirySeconds,
      deadLetter: DEAD_LETTER_QUEUE,
      ...retry,
    });
    // createQueue keeps an existing queue's settings: apply this deployment's.
    await boss.updateQueue(COMMAND_QUEUE, { name: COMMAND_QUEUE, policy: 'singleton', expireInSeconds: options.expirySeconds, deadLetter: DEAD_LETTER_QUEUE, ...retry });
  } catch (error) {
    await boss.stop({ graceful: false, wait: false }).catch(() => undefined);
    await pool.end().catch(() => undefined);
    throw new Error(`cannot use the database at ${where}: ${describeError(error, options.redact)}`);
  }
  log.info({ expirySeconds: options.expirySeconds, concurrency: options.concurrency }, 'job queue ready');

  let closed = false;
  let worker: BossWorker | null = null;

  return {
    backend: 'pg-boss',
    replies: createReplyLedger(pool),
    audit: createAuditSink(pool, options.redact),

    async isRedelivery(deliveryId) {
      const result = await pool.query(`SELECT 1 FROM ${SCHEMA}.deliveries WHERE delivery_id = $1`, [deliveryId]);
      return result.rowCount === 1;
    },

    async enqueue(key, job) {
      if (closed) return 'closed';
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const delivery = await client.query(`INSERT INTO ${SCHEMA}.deliveries (delivery_id) VALUES ($1) ON CONFLICT DO NOTHING`, [key.deliveryId]);
        if (delivery.rowCount === 0) {
          await client.query('ROLLBACK');
          return 'redelivery';
        }
        const id = randomUUID();
        // Takes over the row of a finished (or dead) job; a queued or running one keeps it.
        const command = await client.query(
          `INSERT INTO ${SCHEMA}.commands (repository, command, job_id) VALUES ($1, $2, $3)
           ON CONFLICT (repository, command) DO UPDATE SET job_id = EXCLUDED.job_id
           WHERE NOT EXISTS (SELECT 1 FROM ${BOSS_SCHEMA}.job j WHERE j.name = $4 AND j.id = ${SCHEMA}.commands.job_id AND j.state < 'completed')`,
          [key.repo, key.command, id, COMMAND_QUEUE],
        );
        if (command.rowCount === 0) {
          await client.query('ROLLBACK');
          return 'duplicate';
        }
        // The job row is data only (see CommandJob): no forge client, no token.
        await boss.send(COMMAND_QUEUE, { ...job }, { id, singletonKey: key.repo, db: { executeSql: (text, values) => client.query(text, values) } });
        await client.query('COMMIT');
        return 'queued';
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },

    work(runner: JobRunner) {
      if (worker !== null) throw new Error('this queue already has a worker');
      worker = createBossWorker({
        boss,
        pool,
        queue: COMMAND_QUEUE,
        concurrency: options.concurrency,
        pollMs: options.pollMs ?? 2_000,
        parse: parseQueuedJob,
        runner,
        logger: log,
        redact: options.redact,
      });
    },

    stats: () => ({ queued: 0, running: worker?.running() ?? 0 }),

    async health() {
      const result = await pool.query<{ name: string; state: string; count: string }>(
        `SELECT name, state::text AS state, count(*) AS count FROM ${BOSS_SCHEMA}.job WHERE name IN ($1, $2) GROUP BY name, state`,
        [COMMAND_QUEUE, DEAD_LETTER_QUEUE],
      );
      const count = (name: string, states: readonly string[]) =>
        result.rows.filter((r) => r.name === name && states.includes(r.state)).reduce((sum, r) => sum + Number(r.count), 0);
      return {
        backend: 'pg-boss',
        queued: count(COMMAND_QUEUE, ['created', 'retry']),
        running: count(COMMAND_QUEUE, ['active']),
        deadLettered: count(DEAD_LETTER_QUEUE, DEAD_LETTER_STATES),
      };
    },

    async deadLetters() {
      const result = await pool.query<{ count: string }>(
        `SELECT count(*) AS count FROM ${BOSS_SCHEMA}.job WHERE name = $1 AND state::text = ANY($2)`,
        [DEAD_LETTER_QUEUE, DEAD_LETTER_STATES],
      );
      return Number(result.rows[0]?.count ?? 0);
    },

    onIdle: async () => worker?.onIdle(),

    async close(deadlineMs) {
      closed = true;
      await worker?.close(deadlineMs);
      await boss.stop({ graceful: false, wait: true }).catch((error: unknown) => log.warn({ err: describeError(error, options.redact) }, 'could not stop the queue cleanly'));
      await pool.end().catch(() => undefined);
      // Nothing is lost: unfinished jobs stay in the database for another worker.
      return [];
    },
  };
}
