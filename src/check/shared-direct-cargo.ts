import type { CheckConfig } from '../config/config-schema.js';
import type { Logger } from '../log/logger.js';
import { resolveDirectCargo, type DirectCargo } from './direct-cargo.js';
import { runCheck } from './run-check.js';
import type { Slot } from './slot-pool.js';

export interface SharedDirectCargo {
  /** Call in a slot at the base, before its check; the first call asks rustup, the others wait for it. */
  forSlot(slot: Pick<Slot, 'dir' | 'targetDir'>): Promise<DirectCargo | null>;
}

/** `rustup which cargo` answers in well under a second; a rustup that hangs costs no more than this. */
const WHICH_TIMEOUT_MS = 30_000;

/**
 * Which cargo the check command's rustup proxy would run, asked once per run (direct-cargo.ts)
 * in the first slot, inside the same sandbox and environment as the checks.
 */
export function createSharedDirectCargo(options: {
  check: CheckConfig;
  sandbox: 'bwrap' | 'none';
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal | undefined;
  logger?: Logger;
}): SharedDirectCargo {
  let answer: Promise<DirectCargo | null> | null = null;
  return {
    forSlot(slot) {
      answer ??= resolveDirectCargo({
        command: options.check.command,
        cwd: slot.dir,
        ...(options.env ? { env: options.env } : {}),
        runWhich: async (command) => {
          const result = await runCheck({
            command,
            cwd: slot.dir,
            targetDir: slot.targetDir,
            timeoutMs: Math.min(WHICH_TIMEOUT_MS, options.check.timeoutSeconds * 1000),
            sandbox: options.sandbox,
            fetch: false,
            offline: true,
            outputCapBytes: 16 * 1024,
            ...(options.env ? { env: options.env } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
          });
          return result.green ? result.output : null;
        },
      }).catch((error: unknown) => {
        // The checks keep rustup's proxy: a little slower, the same toolchain.
        options.logger?.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not ask rustup which cargo it runs; the checks keep the proxy');
        return null;
      });
      return answer;
    },
  };
}
