import type { CheckConfig } from '../config/config-schema.js';
import { runCheck, type CheckResult } from './run-check.js';
import { writeSlotFile, type Slot } from './slot-pool.js';
import type { Span } from '../report/run-report.js';
import type { SharedDirectCargo } from './shared-direct-cargo.js';
import type { SharedFetch } from './shared-fetch.js';

export interface SlotCheckInput {
  slot: Slot;
  check: CheckConfig;
  sandbox: 'bwrap' | 'none';
  /** Where the toolchain is found (default process.env). */
  env?: NodeJS.ProcessEnv;
  fetch: SharedFetch;
  directCargo: SharedDirectCargo;
  /** The file to patch for this check and its content at the base; none: check the base. */
  file?: { path: string; patched: Buffer; original: Buffer };
  signal?: AbortSignal | undefined;
  /** Milliseconds since the run started, for the span. */
  elapsedMs: () => number;
}

/**
 * The check of one file (or of the base) in a slot. In the sandbox the tree is read-only to
 * the check, so when no fetch wrote to it either, putting the file back leaves the slot
 * exactly at the base and the next use skips the reset (Slot.restored). Without the sandbox
 * the check could have changed anything, and the slot is reset before its next use.
 */
export async function checkInSlot(input: SlotCheckInput): Promise<{ result: CheckResult; span: Span }> {
  const { slot, check, file } = input;
  if (file) await writeSlotFile(slot, file.path, file.patched);
  const startMs = input.elapsedMs();
  // The fetch runs the toolchain the checks run (resolved once, in the sandbox).
  const directCargo = await input.directCargo.forSlot(slot);
  const plan = await input.fetch.planFor(slot.dir, directCargo);
  const result = await runCheck({
    command: check.command,
    cwd: slot.dir,
    targetDir: slot.targetDir,
    timeoutMs: check.timeoutSeconds * 1000,
    sandbox: input.sandbox,
    ...(input.env ? { env: input.env } : {}),
    ...(plan.fetch === false ? { fetch: false } : {}),
    ...(plan.offline === undefined ? {} : { offline: plan.offline }),
    directCargo,
    ...(input.signal ? { signal: input.signal } : {}),
  });
  const span = { startMs, endMs: input.elapsedMs() };
  if (input.sandbox === 'bwrap' && !plan.changedTree) {
    if (file) await writeSlotFile(slot, file.path, file.original);
    slot.restored();
  }
  return { result, span };
}
