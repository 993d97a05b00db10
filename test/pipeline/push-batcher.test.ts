import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCheckWatch, createPushBatcher, createRunPushes } from '../../src/pipeline/push-batcher.js';
import type { PushRef } from '../../src/git/push-branch.js';

const ref = (branch: string): PushRef => ({ branch, commitSha: 'a'.repeat(40), expectedRemoteSha: null });

/** A fake `pushMany` that records each call and finishes when told to. */
function fakePush(answer: (refs: PushRef[]) => Array<string | null> | Error = (refs) => refs.map(() => null)) {
  const calls: string[][] = [];
  const finish: Array<() => void> = [];
  const pushMany = (refs: PushRef[]) =>
    new Promise<Array<string | null>>((resolve, reject) => {
      calls.push(refs.map((r) => r.branch));
      finish.push(() => {
        const result = answer(refs);
        if (result instanceof Error) reject(result);
        else resolve(result);
      });
    });
  const settle = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    finish.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { pushMany, calls, settle };
}

/** The batcher's clock (setTimeout and performance.now) under the test's control; setImmediate stays real. */
function fakeClock(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
}
afterEach(() => {
  vi.useRealTimers();
});

describe('createPushBatcher', () => {
  it('runs one push at a time; refs asked for meanwhile go together, a branch at most once per push', async () => {
    const fake = fakePush();
    const batcher = createPushBatcher(fake.pushMany);
    const done = ['a', 'b', 'c', 'b', 'd'].map((branch) => batcher.push(ref(branch)));
    expect(fake.calls).toEqual([['a']]);
    await fake.settle();
    expect(fake.calls[1]).toEqual(['b', 'c', 'd']);
    await fake.settle();
    expect(fake.calls[2]).toEqual(['b']);
    await fake.settle();
    await expect(Promise.all(done)).resolves.toHaveLength(5);
  });

  it("rejects only a refused ref, with its reason; a failed push rejects its batch and the batcher goes on", async () => {
    let fail = false;
    const fake = fakePush((refs) => (fail ? new Error('network down') : refs.map((r) => (r.branch === 'x' ? 'stale info' : null))));
    const batcher = createPushBatcher(fake.pushMany);
    // Each outcome as a value: null when pushed, else the error's message.
    const outcome = (branch: string) => batcher.push(ref(branch)).then(() => null, (error: Error) => error.message);
    const first = [outcome('x'), outcome('y')];
    await fake.settle();
    await fake.settle();
    expect(await Promise.all(first)).toEqual(['push to x was rejected: stale info', null]);
    fail = true;
    const failed = outcome('z');
    await fake.settle();
    expect(await failed).toBe('push to z was rejected: network down');
    fail = false;
    const later = outcome('w');
    await fake.settle();
    expect(await later).toBeNull();
  });

  it('hands each ref to the push as given; requests for one branch go in the order asked', async () => {
    const seen: PushRef[][] = [];
    const fake = fakePush((refs) => {
      seen.push(refs);
      return refs.map(() => null);
    });
    const batcher = createPushBatcher(fake.pushMany);
    const asked: PushRef[] = [
      { branch: 'a', commitSha: '1'.repeat(40), expectedRemoteSha: null },
      { branch: 'b', commitSha: '2'.repeat(40), expectedRemoteSha: 'f'.repeat(40) },
      { branch: 'b', commitSha: '3'.repeat(40), expectedRemoteSha: '2'.repeat(40) },
      { branch: 'c', commitSha: '4'.repeat(40), expectedRemoteSha: null },
    ];
    const done = asked.map((r) => batcher.push(r));
    for (let i = 0; i < 3; i++) await fake.settle();
    await Promise.all(done);
    expect(seen).toEqual([[asked[0]], [asked[1], asked[3]], [asked[2]]]);
  });

  it('lingers for other files on their way, but not once none is left', async () => {
    const fake = fakePush();
    let coming = 2;
    const batcher = createPushBatcher(fake.pushMany, { lingerMs: 60_000, othersComing: () => coming > 0 });
    const a = batcher.push(ref('a'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.calls).toEqual([]);
    coming = 1;
    const b = batcher.push(ref('b'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.calls).toEqual([]);
    coming = 0;
    batcher.poke();
    expect(fake.calls).toEqual([['a', 'b']]);
    await fake.settle();
    await Promise.all([a, b]);
  });

  it('lingers no longer than lingerMs', async () => {
    fakeClock();
    const fake = fakePush();
    const batcher = createPushBatcher(fake.pushMany, { lingerMs: 30, othersComing: () => true });
    const a = batcher.push(ref('a'));
    await new Promise((resolve) => setImmediate(resolve));
    vi.advanceTimersByTime(29);
    expect(fake.calls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fake.calls).toEqual([['a']]);
    await fake.settle();
    await a;
  });
});

describe('createCheckWatch', () => {
  it("a file's companions are the checks running when its check ended, until they settle", () => {
    const watch = createCheckWatch();
    watch.checkStarted(0);
    watch.checkStarted(1);
    watch.checkEnded(0);
    watch.checkStarted(2);
    expect(watch.unsettledCompanions(0)).toEqual([1]);
    watch.checkEnded(1);
    expect(watch.unsettledCompanions(1)).toEqual([2]);
    watch.settled(1);
    expect(watch.unsettledCompanions(0)).toEqual([]);
    // A file that never ran a check has no companions.
    expect(watch.unsettledCompanions(7)).toEqual([]);
  });
});

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('createRunPushes', () => {
  it('two slots, four answers: each pair of checks that ran together pushes together, the second pair not awaited by the first', async () => {
    const fake = fakePush();
    const pushes = createRunPushes(fake.pushMany, { lingerMs: 60_000 });
    // Files 0 and 1 check side by side; 2 and 3 wait for their slots.
    pushes.checkStarted(0);
    pushes.checkStarted(1);
    pushes.checkEnded(0);
    pushes.checkStarted(2);
    const a = pushes.push(0, ref('a'));
    await tick();
    expect(fake.calls).toEqual([]);
    pushes.checkEnded(1);
    pushes.checkStarted(3);
    const b = pushes.push(1, ref('b'));
    await tick();
    // File 2's check started after file 0's ended: not waited for.
    expect(fake.calls).toEqual([['a', 'b']]);
    pushes.checkEnded(2);
    const c = pushes.push(2, ref('c'));
    await tick();
    expect(fake.calls).toHaveLength(1);
    await fake.settle();
    await Promise.all([a, b]);
    // The second batch, opened by file 2, waits for its companion 3 even though no push runs.
    expect(fake.calls).toHaveLength(1);
    pushes.checkEnded(3);
    const d = pushes.push(3, ref('d'));
    await tick();
    expect(fake.calls[1]).toEqual(['c', 'd']);
    await fake.settle();
    await Promise.all([c, d]);
  });

  it('the last of the checks that ran together completes the batch and goes with it', async () => {
    const fake = fakePush();
    const pushes = createRunPushes(fake.pushMany, { lingerMs: 60_000 });
    for (const index of [0, 1, 2, 3]) pushes.checkStarted(index);
    const done: Array<Promise<void>> = [];
    for (const [index, branch] of [[2, 'c'], [0, 'a'], [3, 'd']] as const) {
      pushes.checkEnded(index);
      done.push(pushes.push(index, ref(branch)));
      await tick();
      expect(fake.calls).toEqual([]);
    }
    pushes.checkEnded(1);
    done.push(pushes.push(1, ref('b')));
    await tick();
    expect(fake.calls).toEqual([['c', 'a', 'd', 'b']]);
    await fake.settle();
    await Promise.all(done);
  });

  it('a companion that finishes without pushing (a red check) lets the batch go without it', async () => {
    const fake = fakePush();
    const pushes = createRunPushes(fake.pushMany, { lingerMs: 60_000 });
    pushes.checkStarted(0);
    pushes.checkStarted(1);
    pushes.checkEnded(0);
    const first = pushes.push(0, ref('a'));
    await tick();
    expect(fake.calls).toEqual([]);
    pushes.checkEnded(1);
    pushes.settled(1);
    await tick();
    expect(fake.calls).toEqual([['a']]);
    await fake.settle();
    await first;
  });

  it('a companion that never settles holds the batch for lingerMs, no longer', async () => {
    fakeClock();
    const fake = fakePush();
    const pushes = createRunPushes(fake.pushMany, { lingerMs: 40 });
    pushes.checkStarted(0);
    pushes.checkStarted(1);
    pushes.checkEnded(0);
    const first = pushes.push(0, ref('a'));
    await tick();
    vi.advanceTimersByTime(39);
    expect(fake.calls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fake.calls).toEqual([['a']]);
    await fake.settle();
    await first;
  });

  it('a push whose check ran alone goes at once, and so does every push with lingerMs 0 (sequential runs)', async () => {
    for (const lingerMs of [60_000, 0]) {
      const fake = fakePush();
      const pushes = createRunPushes(fake.pushMany, { lingerMs });
      pushes.checkStarted(0);
      if (lingerMs === 0) pushes.checkStarted(1);
      pushes.checkEnded(0);
      const first = pushes.push(0, ref('a'));
      expect(fake.calls).toEqual([['a']]);
      await fake.settle();
      await first;
    }
  });
});
