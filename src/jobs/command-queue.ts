import type { CommandJob } from './command-job.js';
import type { EnqueueResult, InterruptedJob, JobKey } from './job-queue.js';

/** What a worker knows about the attempt it is running. */
export interface JobAttempt {
  /** The queue keeps jobs in a database: an infrastructure failure may be thrown for a retry. */
  durable: boolean;
  /** Retries left after this attempt (0: the last one; always 0 in process). */
  retriesLeft: number;
}

/**
 * The worker side: runs one job. Business outcomes (a red check, a refused setting) are
 * results it answers itself; with a durable queue it throws an infrastructure failure (the
 * forge or git unreachable) so the queue retries it, or on the last attempt dead-letters it.
 */
export type JobRunner = (job: CommandJob, signal: AbortSignal, attempt: JobAttempt) => Promise<void>;

export interface QueueHealth {
  backend: 'in-process' | 'pg-boss';
  /** Waiting (including waiting for a retry). */
  queued: number;
  running: number;
  /** Failed for good after their retries (pg-boss only; 0 in process). */
  deadLettered: number;
}

/**
 * The job queue behind the webhook receivers, with two backends: in process (the default,
 * nothing survives the process) and pg-boss on PostgreSQL (durable, shared by any number of
 * web and worker processes). Either way: one job per repository at a time, a redelivered
 * webhook or the same command while one is queued or running is not queued twice.
 */
export interface CommandQueue {
  readonly backend: QueueHealth['backend'];
  /** This delivery was queued before (a redelivered webhook). */
  isRedelivery(deliveryId: string): Promise<boolean>;
  /** The web side: the job is data (no forge, no token), the key orders and de-duplicates it. */
  enqueue(key: JobKey, job: CommandJob): Promise<EnqueueResult>;
  /** The worker side: start taking jobs and run each with `runner`. */
  work(runner: JobRunner): void;
  /** Jobs queued or running in this process. */
  stats(): { queued: number; running: number };
  /** The whole queue's counts (for `/healthz`). */
  health(): Promise<QueueHealth>;
  /**
   * Jobs that failed for good after their retries and wait in the dead-letter queue, across
   * every process (pg-boss); always 0 in process. For `/healthz` and the dashboard issue.
   */
  deadLetters(): Promise<number>;
  /** Resolves when this process has nothing queued or running. */
  onIdle(): Promise<void>;
  /**
   * Graceful shutdown: accept nothing more; running jobs get until `deadlineMs` to finish.
   * Returns the jobs that are lost (in process: dropped or cut off); a durable queue
   * releases unfinished jobs for another worker and returns none.
   */
  close(deadlineMs: number): Promise<Array<InterruptedJob<CommandJob>>>;
}
