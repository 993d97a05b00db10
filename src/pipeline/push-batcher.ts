import type { PushRef } from '../workspace/push-branch.js';

/** At most this many refs per push (arguments stay short; one refusal explains itself). */
const MAX_REFS_PER_PUSH = 50;

export interface PushBatcher {
  /** Settles with this ref's own outcome: rejected with `push to <branch> was rejected: <reason>`. */
  push(ref: PushRef): Promise<void>;
  /** Something `othersComing` depends on changed: a lingering batch may go now. */
  poke(): void;
}

/**
 * One push process at a time; refs asked for meanwhile go together in the next one. Each push
 * spawns several git processes on both ends and, over HTTPS, opens a connection: twenty files
 * that finish close together cost a few pushes, not twenty. With `lingerMs`, a batch also
 * waits up to that long for more refs while `othersComing()` says more files are on their
 * way to a push (never longer, and not at all once none is).
 */
export function createPushBatcher(
  pushMany: (refs: PushRef[]) => Promise<Array<string | null>>,
  options: { lingerMs?: number; othersComing?: () => boolean } = {},
): PushBatcher {
  const lingerMs = options.lingerMs ?? 0;
  const othersComing = options.othersComing ?? (() => false);
  const waiting: Array<{ ref: PushRef; since: number; resolve: () => void; reject: (error: Error) => void }> = [];
  let pushing = false;
  let timer: NodeJS.Timeout | null = null;

  function lingering(): boolean {
    const oldest = waiting[0];
    if (oldest === undefined || lingerMs <= 0 || waiting.length >= MAX_REFS_PER_PUSH || !othersComing()) return false;
    const left = oldest.since + lingerMs - performance.now();
    if (left <= 0) return false;
    timer ??= setTimeout(() => {
      timer = null;
      void pump();
    }, left);
    return true;
  }

  function takeBatch(): typeof waiting {
    // A branch goes at most once per push: a second request for it waits for the next.
    const seen = new Set<string>();
    const batch: typeof waiting = [];
    for (let i = 0; i < waiting.length && batch.length < MAX_REFS_PER_PUSH; ) {
      const item = waiting[i] as (typeof waiting)[number];
      if (seen.has(item.ref.branch)) {
        i += 1;
        continue;
      }
      seen.add(item.ref.branch);
      batch.push(item);
      waiting.splice(i, 1);
    }
    return batch;
  }

  async function pump(): Promise<void> {
    if (pushing) return;
    pushing = true;
    try {
      while (waiting.length > 0 && !lingering()) {
        if (timer !== null) {
          clearTimeout(timer);
          timer = null;
        }
        const batch = takeBatch();
        let reasons: Array<string | null>;
        try {
          reasons = await pushMany(batch.map((item) => item.ref));
        } catch (error) {
          const why = error instanceof Error ? error.message : String(error);
          reasons = batch.map(() => why);
        }
        batch.forEach((item, i) => {
          const reason = reasons[i];
          if (reason === null) item.resolve();
          else item.reject(new Error(`push to ${item.ref.branch} was rejected: ${reason ?? 'git said nothing about it'}`));
        });
      }
    } finally {
      pushing = false;
    }
  }

  return {
    push: (ref) =>
      new Promise<void>((resolve, reject) => {
        waiting.push({ ref, since: performance.now(), resolve, reject });
        void pump();
      }),
    poke: () => void pump(),
  };
}

/**
 * Which files are on their way to a push (PushBatcher's `othersComing`): those the model has
 * answered and that have not pushed (or finished without pushing) yet — they are a check and
 * a commit away. A file still waiting for its answer is not: that takes a model request (a
 * second or more), and a push waiting for it would only go later, into the next round's checks.
 */
export interface PushWatch {
  /** The model has answered file `index` (or failed to). */
  answered(index: number): void;
  /** File `index` has asked for its push, or finished without one. */
  settled(index: number): void;
  othersComing(): boolean;
}

export function createPushWatch(): PushWatch {
  const settled = new Set<number>();
  const coming = new Set<number>();
  return {
    answered(index) {
      if (!settled.has(index)) coming.add(index);
    },
    settled(index) {
      settled.add(index);
      coming.delete(index);
    },
    othersComing: () => coming.size > 0,
  };
}

/**
 * A run's pushes: one batcher whose batches linger for the files the model has answered
 * (PushWatch). A file's push is queued before the file stops counting as on its way, so the
 * batch it completes takes it along instead of leaving without it.
 */
export interface RunPushes {
  /** The model has answered file `index` (or failed to). */
  answered(index: number): void;
  /** File `index` pushes `ref`; settles with this ref's own outcome. */
  push(index: number, ref: PushRef): Promise<void>;
  /** File `index` finished, pushed or not: a batch lingering for it may go. */
  settled(index: number): void;
}

export function createRunPushes(pushMany: (refs: PushRef[]) => Promise<Array<string | null>>, options: { lingerMs: number }): RunPushes {
  const watch = createPushWatch();
  const batcher = createPushBatcher(pushMany, { lingerMs: options.lingerMs, othersComing: watch.othersComing });
  const settled = (index: number) => {
    watch.settled(index);
    batcher.poke();
  };
  return {
    answered: (index) => watch.answered(index),
    push(index, ref) {
      const pushed = batcher.push(ref);
      settled(index);
      return pushed;
    },
    settled,
  };
}
