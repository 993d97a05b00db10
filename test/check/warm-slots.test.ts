import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckConfig } from '../../src/config/config-schema.js';
import type { SharedDirectCargo } from '../../src/check/shared-direct-cargo.js';
import type { SharedFetch } from '../../src/check/shared-fetch.js';
import { warmSlots } from '../../src/check/warm-slots.js';
import type { Slot } from '../../src/check/slot-pool.js';
import { processesMatching, waitFor } from './check-crates.js';

let root: string;
let restoredCalls: number;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'scrum-apply-warm-'));
  mkdirSync(join(root, 'tree'));
  restoredCalls = 0;
});
const sleepers: string[] = [];
afterEach(() => {
  // A failed test may leave its sleep behind: end it (by pid).
  for (const name of sleepers.splice(0)) {
    for (const line of processesMatching(name)) {
      const pid = Number(line.split(' ')[0]);
      try {
        if (pid > 0) process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  rmSync(root, { recursive: true, force: true });
});

/** One slot over `root/tree`, lent to one caller at a time. */
const workspace = {
  async withSlot<T>(fn: (slot: Slot) => Promise<T>): Promise<T> {
    return fn({ dir: join(root, 'tree'), targetDir: join(root, 'target'), index: 0, restored: () => (restoredCalls += 1) });
  },
};
const noFetch: SharedFetch = { planFor: async () => ({ fetch: false, offline: false, changedTree: false }) };
const noDirectCargo: SharedDirectCargo = { forSlot: async () => null };
const logger = pino({ level: 'silent' });

function warm(command: string) {
  return warmSlots({ pool: workspace, count: 1, strategy: 'copy', check: CheckConfig.parse({ command, sandbox: 'none' }), sandbox: 'none', fetch: noFetch, directCargo: noDirectCargo, logger });
}

describe('warmSlots', () => {
  it('runs the check once on the base of a Cargo workspace', async () => {
    writeFileSync(join(root, 'tree', 'Cargo.toml'), '[workspace]\n');
    const marker = join(root, 'warmed');
    const warming = warm(`/usr/bin/touch ${marker}`);
    await warming.done;
    expect(existsSync(marker)).toBe(true);
    await warming.stop();
    // Unsandboxed, the check could have changed the tree: the slot is not vouched for.
    expect(restoredCalls).toBe(0);
  });

  it('leaves a slot that holds no Cargo workspace alone (nothing to keep warm), and says it is untouched', async () => {
    const marker = join(root, 'warmed');
    // Left to finish on its own (a stop would skip the check whatever the slot holds).
    const warming = warm(`/usr/bin/touch ${marker}`);
    await warming.done;
    expect(existsSync(marker)).toBe(false);
    expect(restoredCalls).toBe(1);
    await warming.stop();
  });

  it('stop() cancels a warm-up that is running, killing its process', async () => {
    writeFileSync(join(root, 'tree', 'Cargo.toml'), '[workspace]\n');
    // The check says when it runs (a marker file), then sleeps for hours under a unique name.
    const script = join(root, 'slow-check.sh');
    writeFileSync(script, '#!/bin/sh\ntouch "$1"\nexec sleep "$2"\n', { mode: 0o755 });
    const running = join(root, 'running');
    const sleepFor = `36${process.pid}`;
    sleepers.push(`sleep ${sleepFor}`);
    const warming = warm(`${script} ${running} ${sleepFor}`);
    expect(await waitFor(() => existsSync(running) && processesMatching(`sleep ${sleepFor}`).length > 0, 60_000)).toBe(true);
    const started = Date.now();
    await warming.stop();
    // Time is the point here: the stop ends the sleep rather than waiting for it.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(await waitFor(() => processesMatching(`sleep ${sleepFor}`).length === 0, 60_000)).toBe(true);
  });
});
