import { dirname, join } from 'node:path';
import { createSlotPool, type SlotPool } from '../../src/check/slot-pool.js';
import type { Repo } from '../../src/git/open-repo.js';

const pools = new WeakMap<Repo, SlotPool>();

/**
 * The worktree slots of a workspace's base commit, as a run's checker makes them (under the
 * scratch directory, `slots/`): one pool per workspace, so slots are reused across calls.
 */
export function slotsOf(ws: Repo, size = 2): SlotPool {
  let pool = pools.get(ws);
  if (pool === undefined) {
    pool = createSlotPool({ scratch: ws.scratch, root: join(dirname(ws.scratch.gitDir), 'slots'), baseSha: ws.baseSha, size });
    pools.set(ws, pool);
  }
  return pool;
}
