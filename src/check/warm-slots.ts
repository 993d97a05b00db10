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
  /** Settles when every slot's warm-up has finished (or failed, which only costs speed). */
  done: Promise<void>;
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
 * dir built in one slot is fresh in another: the base is built once, in the first slot, and
 * copied into the others (whose trees were checked out before the build, so cargo finds
 * nothing newer than its outputs). Without the sandbox each slot builds for itself.
 * The result only tells whether the base itself passes; a check that needs a slot
 * meanwhile waits for the warm-up.
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

  /** Holds `count` slots at once (each checked out when taken), then runs `fn` with them. */
  function withSlots<T>(count: number, fn: (slots: Slot[]) => Promise<T>, held: Slot[] = []): Promise<T> {
    if (held.length === count) return fn(held);
    return options.pool.withSlot((slot) => withSlots(count, fn, [...held, slot]));
  }

  const warmed = (options.sandbox === 'bwrap' && options.count > 1
    ? [
        withSlots(options.count, async ([first, ...others]) => {
          if (first === undefined || !(await build(first))) return;
          for (const slot of others) {
            if (signal.aborted) return;
            await copyTargetDir(first.targetDir, slot.targetDir).then(
              () => slot.restored(),
              // The slot then builds for itself at its first check: slower, not wrong.
              (error: unknown) => logger.warn({ slot: slot.index, err: error instanceof Error ? error.message : String(error) }, 'could not copy the warm target dir'),
            );
          }
        }),
      ]
    : Array.from({ length: options.count }, () => options.pool.withSlot(async (slot) => void (await build(slot))))
  ).map((run) =>
    run.catch((error: unknown) => {
      // Only speed is lost: each check then builds what it needs itself. (Cancelled: nothing to say.)
      if (!signal.aborted) logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'slot warm-up failed');
    }),
  );
  return {
    done: Promise.all(warmed).then(() => undefined),
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
