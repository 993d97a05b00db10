import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckConfig } from '../config/config-schema.js';
import type { Logger } from '../report/logger.js';
import type { Workspace } from '../workspace/open-workspace.js';
import { checkInSlot } from './check-in-slot.js';
import type { SharedFetch } from './shared-fetch.js';

export interface SlotWarming {
  /** Cancel what is still running (its process tree is killed) and wait for it to end. */
  stop(): Promise<void>;
}

/**
 * Runs the check once on the unpatched base in `count` slots, in the background, when the
 * base is a Cargo workspace. A slot's first check is a cold build of the whole workspace;
 * done while the first LLM answers are awaited (the machine is idle then), every patched
 * check after it is incremental. The result only tells whether the base itself passes; a
 * check that needs a slot meanwhile waits for the warm-up, which costs no more than the cold
 * build it replaces.
 */
export function warmSlots(options: {
  workspace: Pick<Workspace, 'withSlot'>;
  count: number;
  check: CheckConfig;
  sandbox: 'bwrap' | 'none';
  fetch: SharedFetch;
  logger: Logger;
  signal?: AbortSignal | undefined;
}): SlotWarming {
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  const runs: Array<Promise<void>> = [];
  for (let i = 0; i < options.count; i += 1) {
    runs.push(
      options.workspace
        .withSlot(async (slot) => {
          // Only a Cargo workspace has a build to keep warm; any other check would just run twice.
          const cargo = await access(join(slot.dir, 'Cargo.toml')).then(() => true, () => false);
          if (signal.aborted || !cargo) {
            slot.restored();
            return;
          }
          const { result } = await checkInSlot({
            slot,
            check: options.check,
            sandbox: options.sandbox,
            fetch: options.fetch,
            signal,
            elapsedMs: () => 0,
          });
          if (!result.green && !signal.aborted) {
            options.logger.warn({ slot: slot.index, exitCode: result.exitCode, timedOut: result.timedOut }, 'the check fails on the unpatched base');
          }
        })
        .catch((error: unknown) => {
          options.logger.debug({ err: error instanceof Error ? error.message : String(error) }, 'slot warm-up failed');
        }),
    );
  }
  return {
    async stop() {
      controller.abort();
      await Promise.all(runs);
    },
  };
}
