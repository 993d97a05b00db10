import { describe, expect, it } from 'vitest';
import { createJobQueue, type JobKey } from '../../src/jobs/job-queue.js';
import { createRedactor } from '../../src/log/redact.js';
import { captureLogger } from '../helpers/github-mocks.js';
import { deferred } from '../app/app-fixtures.js';

function queue(concurrency = 2, now?: () => number) {
  const { logger, lines } = captureLogger([]);
  return { queue: createJobQueue<string>({ concurrency, logger, redact: createRedactor([]), ...(now ? { now } : {}) }), lines };
}

let nextDelivery = 0;
function key(repo: string, command = 'apply', deliveryId = `d${(nextDelivery += 1)}`): JobKey {
  return { repo, command, deliveryId };
}

/** A job that records when it starts and finishes and waits for `release`. */
function controlled(log: string[], name: string) {
  const gate = deferred<void>();
  const started = deferred<void>();
  const ended = deferred<void>();
  return {
    release: () => gate.resolve(),
    started: started.promise,
    ended: ended.promise,
    job: {
      meta: name,
      async run() {
        log.push(`start ${name}`);
        started.resolve();
        await gate.promise;
        log.push(`end ${name}`);
        ended.resolve();
      },
    },
  };
}

/**
 * Lets every promise chain that waits for nothing outside run to its end (the queue uses no
 * timers): what has not started by then is waiting for a job to finish.
 */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the job queue', () => {
  it('runs one job per repository at a time, in order, while other repositories proceed', async () => {
    const { queue: q } = queue(2);
    const log: string[] = [];
    const a1 = controlled(log, 'a1');
    const a2 = controlled(log, 'a2');
    const b1 = controlled(log, 'b1');
    expect(q.enqueue(key('github:o/a', 'one'), a1.job)).toBe('queued');
    expect(q.enqueue(key('github:o/a', 'two'), a2.job)).toBe('queued');
    expect(q.enqueue(key('github:o/b'), b1.job)).toBe('queued');
    await Promise.all([a1.started, b1.started]);
    await settle();
    // a2 waits for a1 without holding a slot: b1 got the second one.
    expect(log).toEqual(['start a1', 'start b1']);
    expect(q.stats()).toEqual({ queued: 1, running: 2 });
    b1.release();
    await b1.ended;
    await settle();
    expect(log).toEqual(['start a1', 'start b1', 'end b1']);
    a1.release();
    await a2.started;
    expect(log.slice(3)).toEqual(['end a1', 'start a2']);
    a2.release();
    await q.onIdle();
    expect(log.at(-1)).toBe('end a2');
    expect(q.stats()).toEqual({ queued: 0, running: 0 });
  });

  it('limits jobs across repositories to the concurrency', async () => {
    const { queue: q } = queue(1);
    const log: string[] = [];
    const a = controlled(log, 'a');
    const b = controlled(log, 'b');
    q.enqueue(key('r/a'), a.job);
    q.enqueue(key('r/b'), b.job);
    await a.started;
    await settle();
    expect(log).toEqual(['start a']);
    a.release();
    b.release();
    await q.onIdle();
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b']);
  });

  it('does not queue the same command for the same repository twice while it is queued or running', async () => {
    const { queue: q } = queue();
    const log: string[] = [];
    const first = controlled(log, 'first');
    expect(q.enqueue(key('r/a', 'dry-run'), first.job)).toBe('queued');
    expect(q.enqueue(key('r/a', 'dry-run'), controlled(log, 'again').job)).toBe('duplicate');
    // Another command, or the same command elsewhere, is not a duplicate.
    const other = controlled(log, 'other');
    const elsewhere = controlled(log, 'elsewhere');
    expect(q.enqueue(key('r/a', 'apply'), other.job)).toBe('queued');
    expect(q.enqueue(key('r/b', 'dry-run'), elsewhere.job)).toBe('queued');
    first.release();
    other.release();
    elsewhere.release();
    await q.onIdle();
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start first', 'start elsewhere', 'start other']);
    // Once finished, the same command may run again.
    const later = controlled(log, 'later');
    later.release();
    expect(q.enqueue(key('r/a', 'dry-run'), later.job)).toBe('queued');
    await q.onIdle();
    expect(log.at(-1)).toBe('end later');
  });

  it('ignores a redelivered webhook, also after its job finished', async () => {
    const { queue: q } = queue();
    const log: string[] = [];
    const job = controlled(log, 'job');
    job.release();
    expect(q.enqueue(key('r/a', 'x', 'delivery-1'), job.job)).toBe('queued');
    await q.onIdle();
    expect(q.isRedelivery('delivery-1')).toBe(true);
    expect(q.enqueue(key('r/a', 'x', 'delivery-1'), controlled(log, 'again').job)).toBe('redelivery');
    expect(q.isRedelivery('delivery-2')).toBe(false);
    expect(log).toEqual(['start job', 'end job']);
  });

  it('forgets deliveries after their time', async () => {
    let now = 0;
    const q = createJobQueue<string>({
      logger: captureLogger([]).logger,
      redact: createRedactor([]),
      now: () => now,
      deliveries: { ttlMs: 1000, maxEntries: 2 },
    });
    const done = { meta: 'x', run: async () => undefined };
    q.enqueue(key('r/a', '1', 'old'), done);
    now = 500;
    expect(q.isRedelivery('old')).toBe(true);
    now = 1500;
    expect(q.isRedelivery('old')).toBe(false);
    // and beyond the size bound the oldest goes first
    q.enqueue(key('r/a', '2', 'a'), done);
    q.enqueue(key('r/a', '3', 'b'), done);
    q.enqueue(key('r/a', '4', 'c'), done);
    expect([q.isRedelivery('a'), q.isRedelivery('b'), q.isRedelivery('c')]).toEqual([false, true, true]);
    await q.onIdle();
  });

  it('keeps going after a job throws, and logs the error redacted', async () => {
    const { logger, lines } = captureLogger(['s3cret-value']);
    const q = createJobQueue<string>({ logger, redact: createRedactor(['s3cret-value']) });
    const log: string[] = [];
    q.enqueue(key('r/a', 'boom'), { meta: 'boom', run: async () => Promise.reject(new Error('failed with s3cret-value')) });
    q.enqueue(key('r/a', 'next'), { meta: 'next', run: async () => void log.push('next ran') });
    await q.onIdle();
    expect(log).toEqual(['next ran']);
    const text = lines.join('');
    expect(text).toContain('job failed');
    expect(text).not.toContain('s3cret-value');
  });

  it('closes gracefully: drops what has not started, lets the running job finish within the deadline', async () => {
    const { queue: q } = queue(1);
    const log: string[] = [];
    const running = controlled(log, 'running');
    const waiting = controlled(log, 'waiting');
    q.enqueue(key('r/a', '1'), running.job);
    q.enqueue(key('r/b', '2'), waiting.job);
    await running.started;
    const closing = q.close(5_000);
    expect(q.enqueue(key('r/c'), controlled(log, 'late').job)).toBe('closed');
    // The running job finishes after the close began: the close waits for it.
    running.release();
    const interrupted = await closing;
    expect(interrupted).toEqual([{ key: expect.objectContaining({ repo: 'r/b' }), meta: 'waiting', started: false }]);
    waiting.release();
    await q.onIdle();
    expect(log).toEqual(['start running', 'end running']);
  });

  it('aborts and reports a running job that outlives the deadline', async () => {
    const { queue: q } = queue(1);
    let aborted: unknown = null;
    const gate = deferred<void>();
    q.enqueue(key('r/a', 'slow'), {
      meta: 'slow',
      run: async (signal) => {
        signal.addEventListener('abort', () => {
          aborted = signal.reason;
          gate.resolve();
        });
        await gate.promise;
      },
    });
    await settle();
    expect(q.stats()).toEqual({ queued: 0, running: 1 });
    const started = Date.now();
    const interrupted = await q.close(50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(interrupted).toEqual([{ key: expect.objectContaining({ repo: 'r/a' }), meta: 'slow', started: true }]);
    expect(String(aborted)).toMatch(/interrupted by shutdown/);
    await q.onIdle();
  });
});
