import { constants } from 'node:fs';
import { access, cp } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckConfig } from '../config/config-schema.js';
import type { Logger } from '../log/logger.js';
import { removeTree } from '../git/remove-tree.js';
import type { Slot, SlotPool } from './slot-pool.js';
import { checkInSlot } from './check-in-slot.js';
import type { CheckDiagnostics } from './check-diagnostics.js';
import type { SharedDirectCargo } from './shared-direct-cargo.js';
import type { SharedFetch } from './shared-fetch.js';

/**
 * How the slots get the warm build of the base:
 * - `copy`: built once in slot 0, its target dir copied into every other slot (the sandbox
 *   shows every slot at the same paths, so the copy is fresh there);
 * - `share`: built once, every slot using that one target dir (Cargo's lock on it then lets
 *   one check build at a time) — for bench:warm only: it is slower and unsound, since Cargo
 *   judges freshness by mtimes and a file patched in one slot before another slot's build of
 *   its crate looks older than that build's outputs;
 * - `cold`: every slot builds for itself (the only choice without the sandbox, where each
 *   slot's paths differ and so do Cargo's fingerprints).
 * README "Real projects" has the figures that made `copy` the default (level with `cold` on
 * 2 cores, one cold build's CPU instead of one per slot).
 */
export type WarmStrategy = 'copy' | 'share' | 'cold';

export interface SlotWarming {
  /**
   * What a check waits for before it asks the pool for a slot: with `copy` and `share`, the
   * one warm build (and its copies); with `cold`, nothing (the checks queue in the pool behind
   * the builds of their slots). Never rejects.
   */
  gate: Promise<void>;
  /** Settles when the warm-up has finished (or failed, which only costs speed). */
  done: Promise<void>;
  /** Why the check cannot run at all, when the warm build found out (the toolchain missing…); null otherwise. */
  cannotRun(): string | null;
  /** The compiler's messages on the unpatched base, when the warm build passed; null otherwise. */
  base: Promise<CheckDiagnostics | null>;
  /** Cancel what is still running (its process tree is killed) and wait for it to end. */
  stop(): Promise<void>;
}

/**
 * Runs the check once on the unpatched base, in the background, when the base is a Cargo
 * workspace, so that every patched check after it is incremental. Done while the first LLM
 * answers are awaited, it costs no more than the cold build it replaces.
 *
 * With `copy` or `share`, the warm-up takes slot 0 at once — before any answer can queue for
 * it — checks out the other slots (cargo must then find no source newer than the build's
 * outputs), builds, and copies the result into the other slots; checks wait for all of that
 * (the gate) rather than build cold beside it, and then take slots in the order they came:
 * the first file asked is the first file checked, and no slot is held by a check waiting
 * for another. The result only tells whether the base itself passes.
 */
export function warmSlots(options: {
  pool: Pick<SlotPool, 'withSlot'>;
  count: number;
  strategy: WarmStrategy;
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
  const { logger, pool } = options;
  let base: (value: CheckDiagnostics | null) => void = () => undefined;
  const basePromise = new Promise<CheckDiagnostics | null>((resolve) => (base = resolve));
  let cannotRun: string | null = null;

  async function build(slot: Slot): Promise<boolean> {
    // Only a Cargo workspace has a build to keep warm; any other check would just run twice.
    const cargo = await access(join(slot.dir, 'Cargo.toml')).then(() => true, () => false);
    if (signal.aborted || !cargo) {
      slot.restored();
      return false;
    }
    const { result } = await checkInSlot({ slot, check: options.check, sandbox: options.sandbox, ...(options.env ? { env: options.env } : {}), fetch: options.fetch, directCargo: options.directCargo, signal, elapsedMs: () => 0 });
    cannotRun ??= result.notRun;
    if (result.green) base(result.diagnostics);
    else if (!signal.aborted && result.notRun === null) logger.warn({ slot: slot.index, exitCode: result.exitCode, timedOut: result.timedOut }, 'the check fails on the unpatched base');
    return !signal.aborted;
  }

  const others = Array.from({ length: Math.max(0, options.count - 1) }, (_, i) => i + 1);
  const once = options.strategy !== 'cold' && options.sandbox === 'bwrap' && options.count > 1;

  /** Slot 0 held throughout: the other slots checked out (a moment each), the build, then its copies. */
  const buildOnce = () =>
    pool.withSlot(async (slot) => {
      await Promise.all(others.map((index) => pool.withSlot(async (other) => other.restored(), index)));
      if (!(await build(slot)) || options.strategy !== 'copy') return;
      await Promise.all(
        others.map((index) =>
          pool.withSlot(async (other) => {
            other.restored();
            await copyTargetDir(slot.targetDir, other.targetDir).catch((error: unknown) => {
              // The slot then builds for itself: slower, not wrong.
              logger.warn({ slot: other.index, err: error instanceof Error ? error.message : String(error) }, 'could not copy the warm target dir');
            });
          }, index),
        ),
      );
    }, 0);

  const runs = once ? [buildOnce()] : Array.from({ length: options.count }, () => pool.withSlot(async (slot) => void (await build(slot))));
  const warmed = runs.map((run) =>
    run.then(
      () => undefined,
      (error: unknown) => {
        // Only speed is lost: each check then builds what it needs itself. (Cancelled: nothing to say.)
        if (!signal.aborted) logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'slot warm-up failed');
      },
    ),
  );
  const done = Promise.all(warmed).then(() => base(null));
  return {
    gate: once ? done : Promise.resolve(),
    done,
    base: basePromise,
    cannotRun: () => cannotRun,
    async stop() {
      controller.abort();
      await done;
    },
  };
}

/** A copy of a target dir: timestamps kept (cargo's freshness), symlinks as they are, reflinks where the file system has them. */
async function copyTargetDir(from: string, to: string): Promise<void> {
  await removeTree(to);
  await cp(from, to, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true, mode: constants.COPYFILE_FICLONE });
}
