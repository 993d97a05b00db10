import PQueue from 'p-queue';
import type { Logger } from '../log/logger.js';
import { describeError, type Redactor } from '../log/redact.js';
import { createDeliveryMemory } from './delivery-memory.js';

export interface JobKey {
  /** One job at a time per repository: e.g. `github:acme/widgets`. */
  repo: string;
  /** The normalised command: the same repo and command while one is queued or running is a duplicate. */
  command: string;
  /** The webhook delivery: seen before means redelivered. */
  deliveryId: string;
}

export interface Job<M> {
  /** What the caller needs to tell about the job later (e.g. in an audit row after a shutdown). */
  meta: M;
  /** The work. `signal` aborts when a shutdown's deadline passes. */
  run(signal: AbortSignal): Promise<void>;
}

export type EnqueueResult = 'queued' | 'duplicate' | 'redelivery' | 'closed';

export interface InterruptedJob<M> {
  key: JobKey;
  meta: M;
  /** False: it was still waiting in the queue; true: it was cut off while running. */
  started: boolean;
}

export interface JobQueue<M> {
  /** This delivery was queued before (a redelivered webhook). */
  isRedelivery(deliveryId: string): boolean;
  enqueue(key: JobKey, job: Job<M>): EnqueueResult;
  /** Jobs queued or running. */
  stats(): { queued: number; running: number };
  /** Resolves when nothing is queued or running. */
  onIdle(): Promise<void>;
  /**
   * Graceful shutdown: accept nothing more, drop what has not started, give running jobs
   * until `deadlineMs` to finish, then abort them. Returns every job that did not finish.
   */
  close(deadlineMs: number): Promise<Array<InterruptedJob<M>>>;
}

export interface JobQueueOptions {
  /** Jobs running at once across repositories (default 2: each runs builds). */
  concurrency?: number;
  /** How many delivery ids to remember, and for how long (defaults 10,000 and 24 h). */
  deliveries?: { maxEntries?: number; ttlMs?: number };
  logger: Logger;
  redact: Redactor;
  now?: () => number;
}

interface Entry<M> {
  key: JobKey;
  job: Job<M>;
  state: 'queued' | 'running' | 'dropped';
  controller: AbortController;
  done: Promise<void>;
}

/**
 * An in-process job queue: one job per repository at a time (a repository's jobs wait in a
 * chain of their own and enter the shared queue only when it is their turn, so one busy
 * repository never holds slots other repositories could use), a few repositories at once.
 */
export function createJobQueue<M>(options: JobQueueOptions): JobQueue<M> {
  const now = options.now ?? Date.now;
  const shared = new PQueue({ concurrency: options.concurrency ?? 2 });
  const deliveries = createDeliveryMemory({
    maxEntries: options.deliveries?.maxEntries ?? 10_000,
    ttlMs: options.deliveries?.ttlMs ?? 24 * 3600_000,
    now,
  });
  const chains = new Map<string, Promise<void>>();
  const active = new Map<string, Entry<M>>();
  let closed = false;

  const commandKey = (key: JobKey) => `${key.repo}\n${key.command}`;

  async function start(entry: Entry<M>): Promise<void> {
    if (entry.state === 'dropped') return;
    entry.state = 'running';
    try {
      await entry.job.run(entry.controller.signal);
    } catch (error) {
      // Jobs report their own failures; this is the last line, so the queue keeps going.
      options.logger.error({ repo: entry.key.repo, delivery: entry.key.deliveryId, err: describeError(error, options.redact) }, 'job failed');
    }
  }

  return {
    isRedelivery: (deliveryId) => deliveries.has(deliveryId),

    enqueue(key, job) {
      if (closed) return 'closed';
      if (deliveries.has(key.deliveryId)) return 'redelivery';
      if (active.has(commandKey(key))) return 'duplicate';
      deliveries.remember(key.deliveryId);

      const previous = chains.get(key.repo) ?? Promise.resolve();
      const entry: Entry<M> = { key, job, state: 'queued', controller: new AbortController(), done: Promise.resolve() };
      const done = previous.then(() => shared.add(() => start(entry))).finally(() => {
        active.delete(commandKey(key));
        if (chains.get(key.repo) === done) chains.delete(key.repo);
      });
      entry.done = done;
      chains.set(key.repo, done);
      active.set(commandKey(key), entry);
      return 'queued';
    },

    stats() {
      const entries = [...active.values()];
      return { queued: entries.filter((e) => e.state === 'queued').length, running: entries.filter((e) => e.state === 'running').length };
    },

    async onIdle() {
      while (active.size > 0) await Promise.allSettled([...active.values()].map((e) => e.done));
    },

    async close(deadlineMs) {
      closed = true;
      const interrupted: Array<InterruptedJob<M>> = [];
      for (const entry of active.values()) {
        if (entry.state === 'queued') {
          entry.state = 'dropped';
          interrupted.push({ key: entry.key, meta: entry.job.meta, started: false });
        }
      }
      const running = [...active.values()].filter((e) => e.state === 'running');
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, deadlineMs);
      });
      await Promise.race([Promise.allSettled(running.map((e) => e.done)), deadline]);
      clearTimeout(timer);
      for (const entry of running) {
        if (!active.has(commandKey(entry.key))) continue;
        entry.controller.abort(new Error('interrupted by shutdown'));
        interrupted.push({ key: entry.key, meta: entry.job.meta, started: true });
      }
      return interrupted;
    },
  };
}
