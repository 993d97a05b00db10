import type { PushRef } from '../git/push-branch.js';

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
 * Which checks ran alongside which (createRunPushes). A file whose check ends while checks of
 * other files are running in other slots will usually push within a check's time of them:
 * those are its companions. Checks that start later (a file that was waiting for a slot,
 * or one the model has not answered yet) are a whole check or a model request away.
 */
export interface CheckWatch {
  /** File `index`'s check starts. */
  checkStarted(index: number): void;
  /** File `index`'s check ended: the checks still running are its companions. */
  checkEnded(index: number): void;
  /** File `index` has asked for its push, or finished without one. */
  settled(index: number): void;
  /** The companions of `index` that have not settled. */
  unsettledCompanions(index: number): number[];
}

export function createCheckWatch(): CheckWatch {
  const running = new Set<number>();
  const companions = new Map<number, number[]>();
  const settled = new Set<number>();
  return {
    checkStarted: (index) => void running.add(index),
    checkEnded(index) {
      running.delete(index);
      companions.set(index, [...running]);
    },
    settled(index) {
      settled.add(index);
      running.delete(index);
    },
    unsettledCompanions: (index) => (companions.get(index) ?? []).filter((other) => !settled.has(other)),
  };
}

/**
 * A run's pushes: one batcher, and a batch waits (at most `lingerMs`) for the companions of
 * the file that opened it — the files whose checks were running when its check ended — but
 * not for files behind them: those go in the next batch, while this batch's PRs are opened.
 * A file's push is queued before it settles, so the batch it completes takes it along.
 */
export interface RunPushes {
  checkStarted(index: number): void;
  checkEnded(index: number): void;
  /** File `index` pushes `ref`; settles with this ref's own outcome. */
  push(index: number, ref: PushRef): Promise<void>;
  /** File `index` finished, pushed or not: a batch lingering for it may go. */
  settled(index: number): void;
}

export function createRunPushes(pushMany: (refs: PushRef[]) => Promise<Array<string | null>>, options: { lingerMs: number }): RunPushes {
  const watch = createCheckWatch();
  /** The file that opened the batch now gathering; null: none is. */
  let opener: number | null = null;
  const batcher = createPushBatcher(
    (refs) => {
      opener = null;
      return pushMany(refs);
    },
    { lingerMs: options.lingerMs, othersComing: () => opener !== null && watch.unsettledCompanions(opener).length > 0 },
  );
  const settled = (index: number) => {
    watch.settled(index);
    batcher.poke();
  };
  return {
    checkStarted: (index) => watch.checkStarted(index),
    checkEnded: (index) => watch.checkEnded(index),
    push(index, ref) {
      opener ??= index;
      const pushed = batcher.push(ref);
      settled(index);
      return pushed;
    },
    settled,
  };
}
