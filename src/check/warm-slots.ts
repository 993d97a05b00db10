import { constants } from 'node:fs';
import { access, cp } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckConfig } from '../config/config-schema.js';
import type { Logger } from '../log/logger.js';
import { removeTree } from '../git/remove-tree.js';
import type { Slot, SlotPool } from './slot-pool.js';
import { checkInSlot } from './check-in-slot.js';
import type { SharedDirectCargo } from './shared-direct-cargo.js';
import type { SharedFetch } from './shared-fetch.js';

export interface SlotWarming {
  /** Settles when the warm-up has finished (or failed, which only costs speed). */
  done: Promise<void>;
  /**
   * Call in a slot before its first check: in the sandbox, waits for the one warm build and
   * copies it into this slot's target dir (once per slot), so no slot builds the base cold
   * for itself. Never throws (a failed copy only costs speed).
   */
  prime(slot: Slot): Promise<void>;
  /** Cancel what is still running (its process tree is killed) and wait for it to end. */
  stop(): Promise<void>;
}

/**
 * Runs the check once on the unpatched base, in the background, when the base is a Cargo
 * workspace, so that every patched check after it is incremental. A slot's first check is
 * a cold build of the whole workspace; done while the first LLM answers are awaited, it
 * costs no more than the cold build it replaces.
 *
 * In the bwrap sandbox every slot's tree and target dir sit at the same paths, so a target
 * dir built in one slot is fresh in another: the base is built once, in slot 0, and kept as
 * a snapshot (`snapshotDir`); each other slot copies it at its first check (prime) — after
 * waiting for the build if it is still running, instead of building cold alongside it. The
 * slots are checked out first (each only for the moment of its checkout, so no check waits
 * behind the warm-up for a slot it does not build in): cargo then finds no source newer than
 * the copied outputs. Without the sandbox each slot builds for itself.
 * The result only tells whether the base itself passes.
 */
export function warmSlots(options: {
  pool: Pick<SlotPool, 'withSlot'>;
  count: number;
  check: CheckConfig;
  sandbox: 'bwrap' | 'none';
  env?: NodeJS.ProcessEnv;
  fetch: SharedFetch;
  directCargo: SharedDirectCargo;
  logger: Logger;
  signal?: AbortSignal | undefined;
  /** Where the sandbox's warm target dir is kept for the other slots (default: beside slot 0's). */
  snapshotDir?: string;
}): SlotWarming {
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  const { logger } = options;

  async function build(slot: Slot): Promise<boolean> {
    // Only a Cargo workspace has a build to keep warm; any other check would just run twice.
    const cargo = await access(join(slot.dir, 'Cargo.toml')).then(() => true, () => false);
    if (signal.aborted || !cargo) {
      slot.restored();
      return false;
    }
    const { result } = await checkInSlot({ slot, check: options.check, sandbox: options.sandbox, ...(options.env ? { env: options.env } : {}), fetch: options.fetch, directCargo: options.directCargo, signal, elapsedMs: () => 0 });
    if (!result.green && !signal.aborted) {
      logger.warn({ slot: slot.index, exitCode: result.exitCode, timedOut: result.timedOut }, 'the check fails on the unpatched base');
    }
    return !signal.aborted;
  }

  const shared = options.sandbox === 'bwrap' && options.count > 1;
  /** Slots whose target dir holds (or will not get) the warm build. */
  // Slot 0 builds the base itself: a check that gets it first builds cold there, and the warm-up after it is incremental.
  const primed = new Set<number>([0]);
  let snapshot: string | null = null;
  /** Resolved when a check holds the slot (so it is checked out): the warm-up need not wait for it. */
  const held = Array.from({ length: Math.max(0, options.count) }, () => {
    let resolve = () => {};
    const promise = new Promise<void>((done) => (resolve = done));
    return { promise, resolve };
  });

  async function buildShared(): Promise<boolean> {
    // Check out every slot first (a moment each, or already done by a check holding it), then build in slot 0.
    await Promise.all(held.map((slotHeld, index) => Promise.race([options.pool.withSlot(async (slot) => slot.restored(), index), slotHeld.promise])));
    return options.pool.withSlot(async (slot) => {
      if (!(await build(slot))) return false;
      const to = options.snapshotDir ?? join(slot.targetDir, '..', 'warm-target');
      await copyTargetDir(slot.targetDir, to);
      snapshot = to;
      return true;
    }, 0);
  }

  const built: Promise<boolean> = shared ? buildShared() : Promise.resolve(false);
  const warmed = (shared ? [built] : Array.from({ length: options.count }, () => options.pool.withSlot(async (slot) => void (await build(slot))))).map((run) =>
    run.then(
      () => undefined,
      (error: unknown) => {
        // Only speed is lost: each check then builds what it needs itself. (Cancelled: nothing to say.)
        if (!signal.aborted) logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'slot warm-up failed');
      },
    ),
  );
  return {
    done: Promise.all(warmed).then(() => undefined),
    async prime(slot) {
      held[slot.index]?.resolve();
      if (!shared || primed.has(slot.index) || slot.index >= options.count) return;
      primed.add(slot.index);
      const ok = await built.catch(() => false);
      if (!ok || snapshot === null || signal.aborted) return;
      await copyTargetDir(snapshot, slot.targetDir).catch((error: unknown) => {
        // The slot then builds for itself: slower, not wrong.
        logger.warn({ slot: slot.index, err: error instanceof Error ? error.message : String(error) }, 'could not copy the warm target dir');
      });
    },
    async stop() {
      controller.abort();
      await Promise.all(warmed);
    },
  };
}

/** A copy of a target dir: timestamps kept (cargo's freshness), symlinks as they are, reflinks where the file system has them. */
async function copyTargetDir(from: string, to: string): Promise<void> {
  await removeTree(to);
  await cp(from, to, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true, mode: constants.COPYFILE_FICLONE });
}
