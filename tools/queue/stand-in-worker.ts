/*
 * A queue worker process with the pipeline replaced by a stand-in that takes a fixed time:
 * the real pg-boss queue, fetch loop, expiry, retries and reply ledger, nothing else. Used by
 * the scale test and `npm run bench:queue`. Each attempt is recorded in `bench.events`
 * (start, reply, end) with the database's clock, so a test can check the order across
 * processes, and printed as a line (`start <delivery>`) for the parent to wait on.
 *
 * Env: DATABASE_URL, WORKER_NAME, STAND_IN_MS (default 100), EXPIRY_SECONDS (default 30).
 */
import { createPgBossQueue } from '../../src/jobs/pg-boss-queue.js';
import { createLogger } from '../../src/log/logger.js';
import { createRedactor, secretsFromEnv } from '../../src/log/redact.js';
import { recordEvent } from './bench-events.js';

const databaseUrl = process.env.DATABASE_URL ?? '';
const worker = process.env.WORKER_NAME ?? `worker-${process.pid}`;
const standInMs = Number(process.env.STAND_IN_MS ?? 100);
const redact = createRedactor(secretsFromEnv(process.env));
const logger = createLogger({ redact, level: 'warn', destination: process.stderr });

const queue = await createPgBossQueue({
  databaseUrl,
  concurrency: 1,
  expirySeconds: Number(process.env.EXPIRY_SECONDS ?? 30),
  retryLimit: 3,
  retryDelaySeconds: 1,
  pollMs: 50,
  maintenanceSeconds: 1,
  logger,
  redact,
});

const say = (line: string) => process.stdout.write(`${line}\n`);

queue.work(async (job, signal) => {
  await recordEvent(databaseUrl, { delivery: job.deliveryId, repo: `${job.ref.owner}/${job.ref.repo}`, worker, kind: 'start' });
  say(`start ${job.deliveryId}`);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, standInMs);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('interrupted by shutdown'));
    });
  });
  if (await queue.replies.claim(job.deliveryId)) {
    await recordEvent(databaseUrl, { delivery: job.deliveryId, repo: `${job.ref.owner}/${job.ref.repo}`, worker, kind: 'reply' });
  }
  await recordEvent(databaseUrl, { delivery: job.deliveryId, repo: `${job.ref.owner}/${job.ref.repo}`, worker, kind: 'end' });
  say(`end ${job.deliveryId}`);
});
say('ready');

process.once('SIGTERM', () => {
  void queue.close(5_000).then(() => process.exit(0));
});
