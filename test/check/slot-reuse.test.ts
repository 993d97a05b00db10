import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBenchRepo, type BenchRepo } from '../../tools/bench/bench-fixture.js';
import { BENCH_PATCH } from '../../tools/bench/bench-workspace.js';
import { CheckConfig } from '../../src/config/config-schema.js';
import { checkInSlot } from '../../src/check/check-in-slot.js';
import { createSharedDirectCargo } from '../../src/check/shared-direct-cargo.js';
import { createSharedFetch } from '../../src/check/shared-fetch.js';
import { openRepo, type Repo } from '../../src/git/open-repo.js';
import { detectSandbox } from '../../src/check/sandbox.js';
import { git } from '../helpers/fixture-repo.js';
import { slotsOf } from './slot-fixture.js';

/**
 * A slot keeps its target dir between checks, so a later check rebuilds only what changed:
 * `cargo check -v` says `Fresh` for the crates it did not have to check again.
 */
const FILE = 'crates/alpha/src/m0.rs';
const command = 'cargo check --workspace -v';

let root: string;
let repo: BenchRepo;
let ws: Repo;
let sandbox: 'bwrap' | 'none';
let original: Buffer;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'scrum-apply-slot-reuse-'));
  repo = createBenchRepo(root, { crates: 2, modules: 2 });
  ws = await openRepo({ repoDir: repo.dir, scratchDir: join(root, 'scratch'), branchPrefix: 'scrum-apply/' });
  sandbox = (await detectSandbox('auto')).kind;
  original = readFileSync(join(repo.dir, FILE));
}, 60_000);

afterAll(async () => {
  await ws?.dispose();
  rmSync(root, { recursive: true, force: true });
});

function check(mode: 'bwrap' | 'none') {
  const fetch = createSharedFetch({ command, timeoutMs: 120_000 });
  const config = CheckConfig.parse({ command, sandbox: mode });
  const directCargo = createSharedDirectCargo({ check: config, sandbox: mode });
  const patched = Buffer.from(original.toString('utf8').replace(BENCH_PATCH.old_string, BENCH_PATCH.new_string));
  return {
    base: () => slotsOf(ws, 1).withSlot((slot) => checkInSlot({ slot, check: config, sandbox: mode, fetch, directCargo, elapsedMs: () => 0 })),
    patched: () =>
      slotsOf(ws, 1).withSlot((slot) =>
        checkInSlot({ slot, check: config, sandbox: mode, fetch, directCargo, file: { path: FILE, patched, original }, elapsedMs: () => 0 }),
      ),
  };
}

describe('a reused slot', () => {
  it('checks incrementally: the second check of the slot finds the untouched crate Fresh', async () => {
    const run = check(sandbox);
    const cold = await run.base();
    expect(cold.result.green).toBe(true);
    expect(cold.result.output).toMatch(/Checking alpha v0\.1\.0/);
    expect(cold.result.output).toMatch(/Checking bravo v0\.1\.0/);

    const warm = await run.patched();
    expect(warm.result.green).toBe(true);
    expect(warm.result.output).toMatch(/Fresh bravo v0\.1\.0/);
    expect(warm.result.output).toMatch(/Checking alpha v0\.1\.0/);
    expect(warm.result.output).not.toMatch(/Checking bravo/);
  }, 120_000);

  it('after a sandboxed check the patched file is put back and the next use skips the reset', async () => {
    // With `bwrap` the tree is read-only to the check, so only our own write needs undoing
    // (were bwrap missing here, the check would be red without running: the tree the same).
    const config = CheckConfig.parse({ command, sandbox: 'bwrap' });
    const fetch = createSharedFetch({ command, timeoutMs: 120_000 });
    const patched = Buffer.from(original.toString('utf8').replace(BENCH_PATCH.old_string, BENCH_PATCH.new_string));
    let stamp = 0n;
    await slotsOf(ws, 1).withSlot(async (slot) => {
      stamp = indexStamp(slot.dir);
      const directCargo = createSharedDirectCargo({ check: config, sandbox: 'bwrap' });
      await checkInSlot({ slot, check: config, sandbox: 'bwrap', fetch, directCargo, file: { path: FILE, patched, original }, elapsedMs: () => 0 });
    });
    await slotsOf(ws, 1).withSlot(async (slot) => {
      expect(indexStamp(slot.dir)).toBe(stamp);
      expect(readFileSync(join(slot.dir, FILE))).toEqual(original);
      expect(git(slot.dir, 'status', '--porcelain=v1', '--untracked-files=all')).toBe('');
    });
  }, 120_000);

  it('after an unsandboxed check, whatever the check left is reset before the next use', async () => {
    let stamp = 0n;
    await slotsOf(ws, 1).withSlot(async (slot) => {
      await checkInSlot({
        slot,
        check: CheckConfig.parse({ command: 'touch left-behind.txt', sandbox: 'none' }),
        sandbox: 'none',
        fetch: createSharedFetch({ command: 'touch left-behind.txt', timeoutMs: 60_000 }),
        directCargo: createSharedDirectCargo({ check: CheckConfig.parse({ command: 'touch left-behind.txt', sandbox: 'none' }), sandbox: 'none' }),
        elapsedMs: () => 0,
      });
      expect(git(slot.dir, 'status', '--porcelain=v1', '--untracked-files=all')).toBe('?? left-behind.txt\n');
      stamp = indexStamp(slot.dir);
    });
    await slotsOf(ws, 1).withSlot(async (slot) => {
      expect(indexStamp(slot.dir)).not.toBe(stamp);
      expect(git(slot.dir, 'status', '--porcelain=v1', '--untracked-files=all')).toBe('');
    });
  }, 120_000);

  it('a use that throws after vouching for the tree still gets the slot reset', async () => {
    await expect(
      slotsOf(ws, 1).withSlot(async (slot) => {
        await import('node:fs/promises').then((fs) => fs.writeFile(join(slot.dir, FILE), 'broken\n'));
        slot.restored();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await slotsOf(ws, 1).withSlot(async (slot) => {
      expect(readFileSync(join(slot.dir, FILE))).toEqual(original);
    });
  });
});

/** When the worktree's index was last written: `git reset` rewrites it, a restore does not. */
function indexStamp(dir: string): bigint {
  const adminDir = readFileSync(join(dir, '.git'), 'utf8').trim().replace(/^gitdir:\s*/, '');
  return statSync(join(adminDir, 'index'), { bigint: true }).mtimeNs;
}
