import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repo } from '../../src/git/open-repo.js';
import { writeSlotFile, type Slot } from '../../src/check/slot-pool.js';
import { createFixtureRepo, git, type FixtureRepo } from '../helpers/fixture-repo.js';
import { openOn, snapshotUserRepo } from '../git/repo-fixture.js';
import { slotsOf } from './slot-fixture.js';

const SHAPES = 'crates/geometry/src/shapes.rs';

let repo: FixtureRepo;
let ws: Repo;
let before: Record<string, string>;

beforeAll(async () => {
  repo = createFixtureRepo({ prefix: 'scrum-apply-ws-slots-' });
  symlinkSync('crates/geometry', join(repo.dir, 'linkdir'));
  symlinkSync('crates/geometry/src/shapes.rs', join(repo.dir, 'link.rs'));
  repo.commitAll('links');
  repo.write('notes.txt', 'the user is working here\n');
  // A staged change: a reset aimed at the user's repository would lose it.
  git(repo.dir, 'add', 'notes.txt');
  before = snapshotUserRepo(repo.dir);
  ws = await openOn(repo.root, repo.dir);
});

afterAll(async () => {
  await ws.dispose();
  repo.cleanup();
});

/**
 * A meeting point for `parties` slot holders: each waits inside withSlot until all hold a
 * slot, so together they use every slot (none hands its slot to the next before it arrives).
 */
function meetingOf(parties: number): () => Promise<void> {
  let arrived = 0;
  let everyone: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (everyone = resolve));
  return () => {
    arrived += 1;
    if (arrived === parties) everyone();
    return all;
  };
}

/** `git status` of a slot as a person would see it. */
function slotStatus(slot: Slot): string {
  return git(slot.dir, 'status', '--porcelain=v1', '--untracked-files=all', '--ignored');
}

describe('Repo.withSlot', () => {
  it('never lends one slot to two callers at once, and bounds the pool', async () => {
    const holding = new Set<number>();
    let most = 0;
    const used: number[] = [];
    // The first two borrowers wait until both hold a slot (or 10 s pass), so the test shows two
    // slots lent at once without depending on how fast worktrees are created.
    let acquisitions = 0;
    let bothHeld: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (bothHeld = resolve));
    await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        slotsOf(ws).withSlot(async (slot) => {
          expect(holding.has(slot.index)).toBe(false);
          holding.add(slot.index);
          most = Math.max(most, holding.size);
          if (holding.size === 2) bothHeld();
          used.push(slot.index);
          acquisitions += 1;
          if (acquisitions <= 2) await Promise.race([held, sleep(10_000)]);
          // The slot is clean when lent, whatever the previous caller did.
          expect(existsSync(join(slot.dir, 'mine.txt'))).toBe(false);
          writeFileSync(join(slot.dir, 'mine.txt'), String(i));
          await sleep(20 + (i % 3) * 15);
          expect(readFileSync(join(slot.dir, 'mine.txt'), 'utf8')).toBe(String(i));
          holding.delete(slot.index);
        }),
      ),
    );
    expect(most).toBe(2);
    expect(new Set(used)).toEqual(new Set([0, 1]));
    expect(used).toHaveLength(7);
  });

  /** A caller of withSlot(…, affinity) that holds its slot until let go; `ran` says where it ran. */
  function holder(affinity: number) {
    let letGo: () => void = () => undefined;
    let started: (index: number) => void = () => undefined;
    const release = new Promise<void>((resolve) => (letGo = resolve));
    const running = new Promise<number>((resolve) => (started = resolve));
    const state = { ran: null as number | null, letGo: () => letGo(), running, done: Promise.resolve() };
    state.done = slotsOf(ws).withSlot(async (slot) => {
      state.ran = slot.index;
      started(slot.index);
      await release;
    }, affinity);
    return state;
  }

  it('with an affinity, waits for its own slot while another is idle — unless it would stand behind another caller', async () => {
    const a = holder(1);
    expect(await a.running).toBe(1);
    const b = holder(1); // first in line for slot 1: waits, though slot 0 is idle
    const c = holder(1); // would be second in line: takes the idle slot 0
    expect(await c.running).toBe(0);
    expect(b.ran).toBeNull();
    a.letGo();
    expect(await b.running).toBe(1);
    b.letGo();
    c.letGo();
    await Promise.all([a.done, b.done, c.done]);
  });

  it('a slot that falls idle takes over the last caller of a queue two long', async () => {
    const x = holder(0);
    const y = holder(1);
    expect([await x.running, await y.running]).toEqual([0, 1]);
    const p = holder(0);
    const q = holder(0);
    y.letGo();
    expect(await q.running).toBe(1);
    expect(p.ran).toBeNull();
    x.letGo();
    expect(await p.running).toBe(0);
    p.letGo();
    q.letGo();
    await Promise.all([x.done, y.done, p.done, q.done]);
  });

  it('lends a worktree of the base commit under scratch/slots/<i>, reset between uses; the target dir persists', async () => {
    let first: Slot | undefined;
    await slotsOf(ws).withSlot(async (slot) => {
      first = slot;
      expect(slot.dir.endsWith(join('slots', String(slot.index), 'tree'))).toBe(true);
      expect(slot.targetDir).toBe(join(slot.dir, '..', 'target'));
      expect(git(slot.dir, 'rev-parse', 'HEAD').trim()).toBe(ws.baseSha);
      expect(slotStatus(slot)).toBe('');
      writeFileSync(join(slot.dir, SHAPES), 'broken\n');
      writeFileSync(join(slot.dir, 'untracked.rs'), 'x\n');
      mkdirSync(join(slot.dir, 'target', 'debug'), { recursive: true });
      writeFileSync(join(slot.dir, 'target', 'debug', 'ignored'), 'x\n');
      git(slot.dir, 'add', 'untracked.rs');
      writeFileSync(join(slot.targetDir, 'cache'), 'kept\n');
    });
    // Use both slots so the one we dirtied is lent again.
    const meet = meetingOf(2);
    await Promise.all([0, 1].map(() => slotsOf(ws).withSlot(async (slot) => {
      expect(slotStatus(slot)).toBe('');
      expect(readFileSync(join(slot.dir, SHAPES), 'utf8')).not.toBe('broken\n');
      expect(existsSync(join(slot.dir, 'target'))).toBe(false);
      if (slot.index === first?.index) expect(readFileSync(join(slot.targetDir, 'cache'), 'utf8')).toBe('kept\n');
      await meet();
    })));
  });

  it('recovers a slot a build left in a state git cannot clean, and never follows a forged .git file', async () => {
    const userIndexBefore = git(repo.dir, 'ls-files', '-s');
    const dirty = meetingOf(2);
    await Promise.all([0, 1].map(() => slotsOf(ws).withSlot(async (slot) => {
      if (slot.index === 0) {
        // A read-only directory `git clean` cannot empty.
        mkdirSync(join(slot.dir, 'locked', 'inner'), { recursive: true });
        writeFileSync(join(slot.dir, 'locked', 'inner', 'f'), 'x');
        chmodSync(join(slot.dir, 'locked', 'inner'), 0o555);
        chmodSync(join(slot.dir, 'locked'), 0o555);
      } else {
        // Build code pointing the worktree at the user's repository.
        writeFileSync(join(slot.dir, '.git'), `gitdir: ${join(repo.dir, '.git')}\n`);
        writeFileSync(join(slot.dir, SHAPES), 'forged\n');
      }
      await dirty();
    })));
    const check = meetingOf(2);
    await Promise.all([0, 1].map(() => slotsOf(ws).withSlot(async (slot) => {
      expect(slotStatus(slot)).toBe('');
      expect(existsSync(join(slot.dir, 'locked'))).toBe(false);
      expect(readFileSync(join(slot.dir, '.git'), 'utf8')).not.toContain(repo.dir);
      await check();
    })));
    expect(git(repo.dir, 'ls-files', '-s')).toBe(userIndexBefore);
  });

  it('registers no worktree in the user repository', () => {
    expect(git(repo.dir, 'worktree', 'list', '--porcelain').trim().split('\n')[0]).toBe(`worktree ${repo.dir}`);
    expect(existsSync(join(repo.dir, '.git', 'worktrees'))).toBe(false);
    expect(snapshotUserRepo(repo.dir)).toEqual(before);
  });
});

describe('writeSlotFile', () => {
  it('writes the exact bytes, keeping the file mode', async () => {
    await slotsOf(ws).withSlot(async (slot) => {
      const content = Buffer.from('fn a() {}\r\n// é\n');
      await writeSlotFile(slot, SHAPES, content);
      expect(readFileSync(join(slot.dir, SHAPES)).equals(content)).toBe(true);
      expect(git(slot.dir, 'status', '--porcelain').trim()).toBe(`M ${SHAPES}`);
      await writeSlotFile(slot, 'new/dir/file.rs', Buffer.from('x'));
      expect(readFileSync(join(slot.dir, 'new/dir/file.rs'), 'utf8')).toBe('x');
    });
  });

  it('refuses to follow a symlink anywhere on the path', async () => {
    const outside = join(repo.root, 'outside');
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'victim.rs'), 'victim\n');
    await slotsOf(ws).withSlot(async (slot) => {
      await expect(writeSlotFile(slot, 'linkdir/src/shapes.rs', Buffer.from('x'))).rejects.toThrow(/linkdir is a symlink/);
      await expect(writeSlotFile(slot, 'link.rs', Buffer.from('x'))).rejects.toThrow(/not a regular file/);
      // Links a build planted, pointing out of the worktree.
      symlinkSync(outside, join(slot.dir, 'planted'));
      symlinkSync(join(outside, 'victim.rs'), join(slot.dir, 'crates', 'victim.rs'));
      await expect(writeSlotFile(slot, 'planted/victim.rs', Buffer.from('x'))).rejects.toThrow(/symlink/);
      await expect(writeSlotFile(slot, 'crates/victim.rs', Buffer.from('x'))).rejects.toThrow(/not a regular file/);
      await expect(writeSlotFile(slot, '../escape.rs', Buffer.from('x'))).rejects.toThrow(/".." segment/);
      await expect(writeSlotFile(slot, '.git/config', Buffer.from('x'))).rejects.toThrow(/\.git/);
      await expect(writeSlotFile(slot, 'Cargo.toml/x', Buffer.from('x'))).rejects.toThrow(/Cargo.toml is not a directory/);
    });
    expect(readFileSync(join(outside, 'victim.rs'), 'utf8')).toBe('victim\n');
    expect(readdirSync(outside)).toEqual(['victim.rs']);
    expect(readFileSync(join(repo.dir, SHAPES), 'utf8')).not.toBe('x');
  });
});
