import type { Logger } from '../log/logger.js';
import type { Redactor } from '../log/redact.js';
import type { CommandQueue } from './command-queue.js';
import { createInProcessQueue } from './in-process-queue.js';
import { createPgBossQueue, type PgBossQueueOptions } from './pg-boss-queue.js';
import type { AuditSink, ReplyLedger } from './queue-tables.js';

export interface JobQueueSettings {
  /** Set: pg-boss on this PostgreSQL; null: in process. */
  databaseUrl: string | null;
  /** Jobs at once in this process. */
  concurrency: number;
  expirySeconds: number;
}

export interface ChosenQueue {
  queue: CommandQueue;
  /** Durable queues record replies (a retried job answers once) and audit rows in the database. */
  replies: ReplyLedger | null;
  audit: AuditSink | null;
}

/** The in-process queue without a database, pg-boss with one (`DATABASE_URL`). */
export async function createJobQueueFromSettings(
  settings: JobQueueSettings,
  deps: { logger: Logger; redact: Redactor; now?: () => number; tuning?: Partial<Pick<PgBossQueueOptions, 'pollMs' | 'maintenanceSeconds' | 'retryLimit' | 'retryDelaySeconds'>> },
): Promise<ChosenQueue> {
  if (settings.databaseUrl === null) {
    const queue = createInProcessQueue({ concurrency: settings.concurrency, logger: deps.logger, redact: deps.redact, ...(deps.now ? { now: deps.now } : {}) });
    return { queue, replies: null, audit: null };
  }
  const queue = await createPgBossQueue({
    databaseUrl: settings.databaseUrl,
    concurrency: settings.concurrency,
    expirySeconds: settings.expirySeconds,
    logger: deps.logger,
    redact: deps.redact,
    ...deps.tuning,
  });
  return { queue, replies: queue.replies, audit: queue.audit };
}
