/**
 * `maxOpenPrs` under concurrency. Files finish in any order, yet which of them hit the limit
 * must not depend on that order: file `i` is judged as if files had been published one by
 * one in selection order, i.e. against the PRs already open plus those opened by files
 * before it. While that cannot change the verdict (even if every earlier unfinished file
 * opened a PR the limit would not be reached) the file goes ahead at once; only near the
 * limit does it wait for the earlier files to finish.
 */
export interface OpenPrBudget {
  /**
   * The open-PR count file `index` is to be judged against (as `publishFile`'s `openPrs.count`).
   * `onWait` is called first when the answer has to wait for earlier files.
   */
  countFor(index: number, onWait?: () => void): Promise<number>;
  /** File `index` is done; `opened`: it opened a new PR. Call exactly once per file. */
  settle(index: number, opened: boolean): void;
}

export function createOpenPrBudget(options: { alreadyOpen: number; max: number; files: number }): OpenPrBudget {
  const opened: Array<boolean | null> = Array.from({ length: options.files }, () => null);
  const settled: Array<() => void> = [];
  const done: Array<Promise<void>> = Array.from({ length: options.files }, (_, index) => new Promise<void>((resolve) => (settled[index] = resolve)));

  function openedBefore(index: number): { known: number; pending: number } {
    let known = 0;
    let pending = 0;
    for (let i = 0; i < index; i += 1) {
      if (opened[i] === null) pending += 1;
      else if (opened[i]) known += 1;
    }
    return { known, pending };
  }

  return {
    async countFor(index, onWait) {
      const { known, pending } = openedBefore(index);
      if (options.alreadyOpen + known + pending < options.max) return options.alreadyOpen + known;
      if (pending > 0) onWait?.();
      await Promise.all(done.slice(0, index));
      return options.alreadyOpen + openedBefore(index).known;
    },
    settle(index, hasOpened) {
      if (opened[index] !== null) return;
      opened[index] = hasOpened;
      settled[index]?.();
    },
  };
}
