import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckConfig } from '../../src/config/config-schema.js';
import { checkInSlot } from '../../src/check/check-in-slot.js';
import { createSharedDirectCargo } from '../../src/check/shared-direct-cargo.js';
import type { SharedFetch } from '../../src/check/shared-fetch.js';
import { warmSlots } from '../../src/check/warm-slots.js';
import type { Repo } from '../../src/git/open-repo.js';
import { createFixtureRepo, type FixtureRepo } from '../helpers/fixture-repo.js';
import { openOn } from '../git/repo-fixture.js';
import { slotsOf } from './slot-fixture.js';

// report depends on geometry: patching report rebuilds report alone in a warm slot, both in a cold one.
const FORMAT = 'crates/report/src/format.rs';
// The demo workspace has no crates.io dependencies: nothing to fetch.
const noFetch: SharedFetch = { planFor: async () => ({ fetch: false, offline: true, changedTree: false }) };
const check = CheckConfig.parse({ command: 'cargo check', sandbox: 'bwrap' });
const directCargo = createSharedDirectCargo({ check, sandbox: 'bwrap' });

let repo: FixtureRepo;
let ws: Repo;
beforeEach(async () => {
  repo = createFixtureRepo({ prefix: 'scrum-apply-warm-copy-' });
  ws = await openOn(repo.root, repo.dir);
});
afterEach(async () => {
  await ws.dispose();
  repo.cleanup();
});

describe('warming two slots in the sandbox', () => {
  it('builds the base once and copies it into every slot before any check: the first check in either slot rebuilds only the patched crate', async () => {
    const warming = warmSlots({ pool: slotsOf(ws), count: 2, strategy: 'copy', check, sandbox: 'bwrap', fetch: noFetch, directCargo, logger: pino({ level: 'silent' }) });
    await warming.gate;
    const original = Buffer.from(readFileSync(join(repo.dir, FORMAT)));
    const patched = Buffer.concat([original, Buffer.from('\r\npub fn added() -> u32 {\r\n    1\r\n}\r\n')]);
    // Two checks at once: one in each slot.
    const used = new Set<number>();
    const targets: string[] = [];
    const outputs = await Promise.all(
      [0, 1].map(() =>
        slotsOf(ws).withSlot(async (slot) => {
          used.add(slot.index);
          targets[slot.index] = slot.targetDir;
          const { result } = await checkInSlot({ slot, check, sandbox: 'bwrap', fetch: noFetch, directCargo, file: { path: FORMAT, patched, original }, elapsedMs: () => 0 });
          expect(result.green).toBe(true);
          return result.output;
        }),
      ),
    );
    expect([...used].sort()).toEqual([0, 1]);
    // Built once and copied: geometry's incremental session (named with a random part) is the
    // same in both slots; two builds would have made two.
    const sessions = (target: string) => {
      const incremental = join(target, 'debug', 'incremental');
      const crate = readdirSync(incremental).find((name) => name.startsWith('geometry-'));
      return crate === undefined ? [] : readdirSync(join(incremental, crate)).filter((name) => name.startsWith('s-')).sort();
    };
    expect(sessions(targets[0] ?? '').length).toBeGreaterThan(0);
    expect(sessions(targets[1] ?? '')).toEqual(sessions(targets[0] ?? ''));
    for (const output of outputs) expect(output.match(/^\s*Checking \S+/gm)?.map((line) => line.trim())).toEqual(['Checking report']);
  });
});
