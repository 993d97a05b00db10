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

let root: string;
let restoredCalls: number;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'scrum-apply-warm-'));
  mkdirSync(join(root, 'tree'));
  restoredCalls = 0;
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

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
  return warmSlots({ pool: workspace, count: 1, check: CheckConfig.parse({ command, sandbox: 'none' }), sandbox: 'none', fetch: noFetch, directCargo: noDirectCargo, logger });
}

describe('warmSlots', () => {
  it('runs the check once on the base of a Cargo workspace', async () => {
    writeFileSync(join(root, 'tree', 'Cargo.toml'), '[workspace]\n');
    const marker = join(root, 'warmed');
    const warming = warm(`/usr/bin/touch ${marker}`);
    // Wait for the check to have run, then stop (which would cancel it otherwise).
    for (let i = 0; i < 200 && !existsSync(marker); i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
    await warming.stop();
    expect(existsSync(marker)).toBe(true);
    // Unsandboxed, the check could have changed the tree: the slot is not vouched for.
    expect(restoredCalls).toBe(0);
  });

  it('leaves a slot that holds no Cargo workspace alone (nothing to keep warm), and says it is untouched', async () => {
    const marker = join(root, 'warmed');
    await warm(`/usr/bin/touch ${marker}`).stop();
    expect(existsSync(marker)).toBe(false);
    expect(restoredCalls).toBe(1);
  });

  it('stop() cancels a warm-up still running', async () => {
    writeFileSync(join(root, 'tree', 'Cargo.toml'), '[workspace]\n');
    const warming = warm('/bin/sleep 30');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    await warming.stop();
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
