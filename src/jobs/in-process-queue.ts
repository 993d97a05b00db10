import type { Logger } from '../log/logger.js';
import type { Redactor } from '../log/redact.js';
import type { CommandJob } from './command-job.js';
import type { CommandQueue, JobRunner } from './command-queue.js';
import { createJobQueue } from './job-queue.js';

export interface InProcessQueueOptions {
  /** Jobs at once across repositories (default 2). */
  concurrency?: number;
  logger: Logger;
  redact: Redactor;
  now?: () => number;
}

/** The default backend: today's in-process queue, with the job as data and a runner set by `work`. */
export function createInProcessQueue(options: InProcessQueueOptions): CommandQueue {
  const queue = createJobQueue<CommandJob>(options);
  let runner: JobRunner | null = null;
  return {
    backend: 'in-process',
    isRedelivery: async (deliveryId) => queue.isRedelivery(deliveryId),
    async enqueue(key, job) {
      if (runner === null) throw new Error('the in-process queue has no worker: call work() first');
      const run = runner;
      return queue.enqueue(key, { meta: job, run: (signal) => run(job, signal, { durable: false, retriesLeft: 0 }) });
    },
    work(next) {
      runner = next;
    },
    stats: () => queue.stats(),
    health: async () => ({ backend: 'in-process', ...queue.stats(), deadLettered: 0 }),
    // Nothing is retried in process, so nothing is dead-lettered: a failure is answered at once.
    deadLetters: async () => 0,
    onIdle: () => queue.onIdle(),
    close: (deadlineMs) => queue.close(deadlineMs),
  };
}
