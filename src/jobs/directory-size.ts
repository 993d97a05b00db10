import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The bytes under `dir` (like `du`, counting each entry's own size and never following a
 * symlink). Stops early once the total passes `stopAbove`: the caller only needs to know
 * that it is too big.
 */
export async function directorySize(dir: string, stopAbove = Number.POSITIVE_INFINITY): Promise<number> {
  let total = 0;
  const pending = [dir];
  while (pending.length > 0 && total <= stopAbove) {
    const current = pending.pop();
    if (current === undefined) break;
    const info = await lstat(current);
    total += info.size;
    if (!info.isDirectory()) continue;
    for (const name of await readdir(current)) pending.push(join(current, name));
  }
  return total;
}
