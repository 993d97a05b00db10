import { describe, expect, it } from 'vitest';
import { createOpenPrBudget } from '../../src/pipeline/open-pr-budget.js';

/** A file "opens" when it wants a PR and the count it is judged against is below the limit. */
async function simulate(options: { alreadyOpen: number; max: number; wants: boolean[]; finishOrder: number[] }): Promise<boolean[]> {
  const budget = createOpenPrBudget({ alreadyOpen: options.alreadyOpen, max: options.max, files: options.wants.length });
  const opened: boolean[] = Array(options.wants.length).fill(false);
  const started: Array<Promise<void>> = [];
  // Files reach their publish step in finishOrder, one event-loop turn apart.
  for (const index of options.finishOrder) {
    await new Promise((resolve) => setImmediate(resolve));
    started.push(
      (async () => {
        const count = await budget.countFor(index);
        opened[index] = (options.wants[index] ?? false) && count < options.max;
        budget.settle(index, opened[index] ?? false);
      })(),
    );
  }
  await Promise.all(started);
  return opened;
}

function sequentialVerdicts(alreadyOpen: number, max: number, wants: boolean[]): boolean[] {
  let open = alreadyOpen;
  return wants.map((want) => {
    const opens = want && open < max;
    if (opens) open += 1;
    return opens;
  });
}

function shuffled(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let state = seed;
  for (let i = n - 1; i > 0; i -= 1) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
  }
  return order;
}

describe('createOpenPrBudget', () => {
  it('far from the limit, a file is judged at once, without waiting for earlier files', async () => {
    const budget = createOpenPrBudget({ alreadyOpen: 1, max: 10, files: 3 });
    expect(await budget.countFor(2)).toBe(1);
    budget.settle(0, true);
    expect(await budget.countFor(2)).toBe(2);
  });

  it('near the limit, a file waits for the earlier files and is judged on what they did', async () => {
    const budget = createOpenPrBudget({ alreadyOpen: 0, max: 2, files: 3 });
    let judged: number | null = null;
    const pending = budget.countFor(2).then((count) => (judged = count));
    await new Promise((resolve) => setImmediate(resolve));
    expect(judged).toBeNull();
    budget.settle(1, true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(judged).toBeNull();
    budget.settle(0, false);
    await pending;
    expect(judged).toBe(1);
  });

  it('says when it has to wait for earlier files, and only then', async () => {
    const budget = createOpenPrBudget({ alreadyOpen: 0, max: 2, files: 4 });
    const waits: number[] = [];
    expect(await budget.countFor(1, () => waits.push(1))).toBe(0);
    expect(waits).toEqual([]);
    const pending = budget.countFor(3, () => waits.push(3));
    expect(waits).toEqual([3]);
    for (const index of [0, 1, 2]) budget.settle(index, false);
    expect(await pending).toBe(0);
    // Near the limit with every earlier file settled: nothing to wait for.
    budget.settle(3, true);
    const settledFirst = createOpenPrBudget({ alreadyOpen: 2, max: 2, files: 2 });
    settledFirst.settle(0, false);
    expect(await settledFirst.countFor(1, () => waits.push(99))).toBe(2);
    expect(waits).toEqual([3]);
  });

  it('whatever order files finish in, the same files open PRs as when published one by one in selection order', async () => {
    const wants = [true, false, true, true, true, false, true, true, true];
    for (const [alreadyOpen, max] of [
      [0, 3],
      [2, 4],
      [0, 20],
      [5, 5],
    ] as const) {
      const expected = sequentialVerdicts(alreadyOpen, max, wants);
      for (let seed = 1; seed <= 25; seed += 1) {
        expect(await simulate({ alreadyOpen, max, wants, finishOrder: shuffled(wants.length, seed) })).toEqual(expected);
      }
    }
  });
});
