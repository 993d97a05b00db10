import { constants } from 'node:fs';
import { lstat, mkdir, open, readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { checkPathSyntax } from '../reviews/path-safety.js';
import { removeTree } from '../git/remove-tree.js';
import type { Logger } from '../log/logger.js';
import type { ScratchRepo } from '../git/scratch-repo.js';
import { addWorktree, pruneWorktrees, resetWorktree } from '../git/worktrees.js';

/** A worktree of the base commit, lent to one caller at a time. */
export interface Slot {
  /** The worktree (the check's working directory). */
  dir: string;
  /** A build-output directory of its own, kept between uses so builds stay incremental. */
  targetDir: string;
  index: number;
  /**
   * The caller put back every file it wrote, and nothing else could write to the tree
   * meanwhile (the check ran in the sandbox, where the tree is read-only): the next use may
   * skip the reset (two git processes). Without this call the next use resets and cleans.
   */
  restored(): void;
}

export interface SlotPool {
  /**
   * Lend `fn` a slot. With `affinity`, the caller asks for the slot of that index (modulo the
   * pool's size) and waits for it — so one crate's checks stay in one slot and its target dir
   * is not rebuilt for another crate in between — unless waiting would mean standing behind
   * another caller while a slot is idle: then it takes the idle slot (see STEAL_AFTER).
   */
  withSlot<T>(fn: (slot: Slot) => Promise<T>, affinity?: number): Promise<T>;
  /** Refuse new work; slots themselves go with the scratch directory. */
  close(): void;
}

interface SlotState {
  slot: Omit<Slot, 'restored'>;
  /** The worktree's administrative directory in the scratch repository; null until created. */
  adminDir: string | null;
  busy: boolean;
  /** The last user left the tree exactly at the base commit (see Slot.restored). */
  clean: boolean;
}

/**
 * A caller with an affinity takes another, idle slot rather than queue behind this many
 * callers for its own (and an idle slot takes over the last of such a queue): the rebuild a
 * foreign slot costs is smaller than waiting for two checks.
 */
const STEAL_AFTER = 1;

/**
 * Up to `size` detached worktrees of the scratch repository under `<root>/<i>/tree`, created
 * on first need and reset to the base commit (`reset --hard`, `clean -ffdx`) before every
 * use — unless the previous user vouched for the tree (Slot.restored). Callers beyond
 * `size` wait their turn, first come first served (for their slot, when they name one); no
 * two callers ever hold the same slot.
 */
export function createSlotPool(options: {
  scratch: ScratchRepo;
  root: string;
  baseSha: string;
  size: number;
  logger?: Logger;
  /** One target dir for every slot (the warm-up's `share` strategy) instead of one each. */
  sharedTargetDir?: string;
}): SlotPool {
  const size = Math.max(1, Math.floor(options.size));
  const states: SlotState[] = [];
  const waiting: Array<(state: SlotState) => void> = [];
  let closed = false;
  // `git worktree add` picks the administrative directory's name itself; one at a time.
  let creating: Promise<unknown> = Promise.resolve();

  /** Callers waiting for one slot in particular, by index. */
  const waitingFor = new Map<number, Array<(state: SlotState) => void>>();

  function stateAt(index: number): SlotState {
    while (states.length <= index) {
      const i = states.length;
      const dir = join(options.root, String(i));
      states.push({ slot: { dir: join(dir, 'tree'), targetDir: options.sharedTargetDir ?? join(dir, 'target'), index: i }, adminDir: null, busy: false, clean: false });
    }
    return states[index] as SlotState;
  }

  /** A slot nobody holds (a free slot has nobody waiting: release hands it on), creating one if the pool is not full yet. */
  function idleSlot(): SlotState | null {
    return states.find((state) => !state.busy) ?? (states.length < size ? stateAt(states.length) : null);
  }

  function acquire(affinity?: number): Promise<SlotState> {
    const wanted = affinity === undefined ? null : stateAt(Math.abs(Math.floor(affinity)) % size);
    const queue = wanted === null ? null : (waitingFor.get(wanted.slot.index) ?? []);
    const taken = wanted !== null && !wanted.busy ? wanted : queue === null || queue.length >= STEAL_AFTER ? idleSlot() : null;
    if (taken) {
      taken.busy = true;
      return Promise.resolve(taken);
    }
    return new Promise((resolveState) => {
      if (wanted === null || queue === null) waiting.push(resolveState);
      else waitingFor.set(wanted.slot.index, [...queue, resolveState]);
    });
  }

  /** The last caller of the longest queue for a slot, when it stands behind more than STEAL_AFTER callers. */
  function stealable(): ((state: SlotState) => void) | undefined {
    const longest = [...waitingFor.values()].reduce((a, b) => (b.length > a.length ? b : a), []);
    return longest.length > STEAL_AFTER ? longest.pop() : undefined;
  }

  function release(state: SlotState): void {
    // Its own callers first; then anyone's; then one stolen from a long queue.
    const next = waitingFor.get(state.slot.index)?.shift() ?? waiting.shift() ?? stealable();
    if (next) next(state);
    else state.busy = false;
  }

  async function prepare(state: SlotState): Promise<void> {
    const clean = state.clean;
    state.clean = false;
    if (state.adminDir !== null && clean) return;
    if (state.adminDir !== null) {
      try {
        await reset(state, state.adminDir);
        return;
      } catch (error) {
        // A build may leave what reset or clean cannot undo (read-only trees, a replaced
        // `.git` file): start the slot over.
        options.logger?.warn({ slot: state.slot.index, err: error instanceof Error ? error.message : String(error) }, 'could not reset a worktree slot; recreating it');
        state.adminDir = null;
      }
    }
    const created = creating.then(() => create(state));
    // The chain only orders creations; this creation's failure reaches its caller below.
    creating = created.catch(() => undefined);
    state.adminDir = await created;
  }

  async function create(state: SlotState): Promise<string> {
    const leftover = await lstat(state.slot.dir).then(() => true, () => false);
    if (leftover) {
      await removeTree(state.slot.dir);
      await pruneWorktrees(options.scratch);
    }
    await mkdir(state.slot.targetDir, { recursive: true });
    await addWorktree(options.scratch, state.slot.dir, options.baseSha);
    // Remember where git keeps this worktree now, before any check runs in it: later git
    // commands name that directory explicitly and never trust the `.git` file again.
    const pointer = (await readFile(join(state.slot.dir, '.git'), 'utf8')).trim();
    const adminDir = resolve(pointer.replace(/^gitdir:\s*/, ''));
    if (!adminDir.startsWith(join(options.scratch.gitDir, 'worktrees') + sep)) {
      throw new Error(`worktree ${state.slot.dir} is registered outside the scratch repository`);
    }
    return adminDir;
  }

  async function reset(state: SlotState, adminDir: string): Promise<void> {
    const pointer = await lstat(join(state.slot.dir, '.git')).then(
      (info) => (info.isFile() ? readFile(join(state.slot.dir, '.git'), 'utf8') : null),
      () => null,
    );
    if (pointer === null || resolve(pointer.trim().replace(/^gitdir:\s*/, '')) !== adminDir) {
      throw new Error(`the .git file of ${state.slot.dir} was changed`);
    }
    await resetWorktree({ dir: state.slot.dir, adminDir }, options.baseSha);
  }

  return {
    async withSlot(fn, affinity) {
      if (closed) throw new Error('the checker is closed');
      const state = await acquire(affinity);
      let restored = false;
      try {
        await prepare(state);
        const value = await fn({ ...state.slot, restored: () => (restored = true) });
        // Only a use that ended normally can vouch for the tree.
        state.clean = restored;
        return value;
      } finally {
        release(state);
      }
    },
    close() {
      closed = true;
    },
  };
}

/**
 * Write `content` to `path` inside the slot's worktree without following a symlink anywhere
 * on the way: each parent must be a real directory (created if missing) and the file itself
 * is opened with O_NOFOLLOW. The file keeps the mode the checkout gave it.
 */
export async function writeSlotFile(slot: Pick<Slot, 'dir'>, path: string, content: Buffer): Promise<void> {
  const syntax = checkPathSyntax(path);
  if (!syntax.ok) throw new Error(`cannot write ${JSON.stringify(path)} into the worktree: ${syntax.reason}`);
  const parts = path.split('/');
  const name = parts.pop();
  if (name === undefined) throw new Error(`cannot write ${JSON.stringify(path)} into the worktree: path is empty`);
  let dir = slot.dir;
  for (const part of parts) {
    dir = join(dir, part);
    // Missing: created here (mkdir then fails with its own reason if it was something else).
    const info = await lstat(dir).catch(() => null);
    if (info === null) await mkdir(dir);
    else if (info.isSymbolicLink()) throw new Error(`cannot write ${path} into the worktree: ${part} is a symlink`);
    else if (!info.isDirectory()) throw new Error(`cannot write ${path} into the worktree: ${part} is not a directory`);
  }
  const file = join(dir, name);
  const info = await lstat(file).catch(() => null);
  if (info !== null && !info.isFile()) throw new Error(`cannot write ${path} into the worktree: it is not a regular file`);
  const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
}
