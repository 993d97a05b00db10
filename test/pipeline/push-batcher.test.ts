import { describe, expect, it } from 'vitest';
import { createPushBatcher, createPushWatch, createRunPushes } from '../../src/pipeline/push-batcher.js';
import type { PushRef } from '../../src/workspace/push-branch.js';

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
    const fake = fakePush();
    const batcher = createPushBatcher(fake.pushMany, { lingerMs: 30, othersComing: () => true });
    const started = performance.now();
    const a = batcher.push(ref('a'));
    while (fake.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    await fake.settle();
    await a;
  });
});

describe('createPushWatch', () => {
  it('counts as coming only files the model has answered that have not settled', () => {
    const watch = createPushWatch();
    expect(watch.othersComing()).toBe(false);
    watch.answered(0);
    watch.answered(1);
    expect(watch.othersComing()).toBe(true);
    watch.settled(0);
    expect(watch.othersComing()).toBe(true);
    watch.settled(1);
    expect(watch.othersComing()).toBe(false);
    // Settled before its answer was noted (a cancelled request): never coming again.
    watch.settled(2);
    watch.answered(2);
    expect(watch.othersComing()).toBe(false);
  });

  it('lets a push go at once while the other files still wait for the model, and wait for answered ones', async () => {
    const fake = fakePush();
    const watch = createPushWatch();
    const batcher = createPushBatcher(fake.pushMany, { lingerMs: 60_000, othersComing: watch.othersComing });
    // Files 0–3 asked; 0 answered and pushes while 1–3 wait for the model: no waiting for them.
    watch.answered(0);
    watch.settled(0);
    const first = batcher.push(ref('a'));
    expect(fake.calls).toEqual([['a']]);
    await fake.settle();
    await first;
    // 1 and 2 answered; 1 pushes first and waits for 2, which is on its way.
    watch.answered(1);
    watch.answered(2);
    watch.settled(1);
    const second = batcher.push(ref('b'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.calls).toHaveLength(1);
    watch.settled(2);
    const third = batcher.push(ref('c'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.calls[1]).toEqual(['b', 'c']);
    await fake.settle();
    await Promise.all([second, third]);
  });
});

describe('createRunPushes', () => {
  it('the last answered file to push completes the batch and goes with it: one push for a round', async () => {
    const fake = fakePush();
    const pushes = createRunPushes(fake.pushMany, { lingerMs: 60_000 });
    // A round: the model answers files 0–3 together; files 4–7 are still waiting for it.
    for (const index of [0, 1, 2, 3]) pushes.answered(index);
    const done: Array<Promise<void>> = [];
    for (const [index, branch] of [[2, 'c'], [0, 'a'], [3, 'd']] as const) {
      done.push(pushes.push(index, ref(branch)));
      await new Promise((resolve) => setImmediate(resolve));
      expect(fake.calls).toEqual([]);
    }
    done.push(pushes.push(1, ref('b')));
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.calls).toEqual([['c', 'a', 'd', 'b']]);
    await fake.settle();
    await Promise.all(done);
  });

  it('a file that finishes without pushing lets the batch go without it', async () => {
    const fake = fakePush();
    const pushes = createRunPushes(fake.pushMany, { lingerMs: 60_000 });
    pushes.answered(0);
    pushes.answered(1);
    const first = pushes.push(0, ref('a'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.calls).toEqual([]);
    pushes.settled(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.calls).toEqual([['a']]);
    await fake.settle();
    await first;
  });

  it('never lingers with lingerMs 0 (sequential runs)', async () => {
    const fake = fakePush();
    const pushes = createRunPushes(fake.pushMany, { lingerMs: 0 });
    pushes.answered(0);
    pushes.answered(1);
    const first = pushes.push(0, ref('a'));
    expect(fake.calls).toEqual([['a']]);
    await fake.settle();
    await first;
  });
});
