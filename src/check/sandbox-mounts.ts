import { lstat, readlink } from 'node:fs/promises';
import { join, relative, isAbsolute } from 'node:path';
import type { ToolchainHomes } from './check-environment.js';

/** One step of building the sandbox's file system, in order (later mounts cover earlier ones). */
export type Mount =
  | { type: 'ro-bind' | 'ro-bind-try' | 'bind'; source: string; dest: string }
  | { type: 'symlink'; target: string; dest: string }
  | { type: 'tmpfs'; dest: string; sizeBytes: number }
  | { type: 'dir' | 'proc' | 'dev' | 'remount-ro'; dest: string };

/**
 * Where the worktree and the target dir appear inside the sandbox: the same paths for every
 * slot, so what a build records (dep-info, fingerprints) does not depend on the slot, and one
 * slot's warm target dir is as good in another (see warm-slots.ts). Check output shows these
 * paths, not the bot's scratch directories.
 */
export const SANDBOX_TREE = '/scrum-apply/tree';
export const SANDBOX_TARGET = '/scrum-apply/target';

/** The sandbox's HOME: an empty directory on the /tmp tmpfs, never the real one. */
export const SANDBOX_HOME = '/tmp/.scrum-apply-home';
export const SANDBOX_TMP_BYTES = 512 * 1024 ** 2;
/** Enough for cargo's lock files and its cache-tracking database. */
export const SANDBOX_CARGO_HOME_BYTES = 64 * 1024 ** 2;

/** The system, read-only. On merged-/usr systems /bin, /lib… are symlinks and stay symlinks. */
const SYSTEM_PATHS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
/**
 * The parts of /etc a toolchain needs (the dynamic linker's cache, `cc` via alternatives,
 * user and host names) — not all of /etc, which can hold keys and service credentials.
 */
const ETC_PATHS = [
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/alternatives',
  '/etc/passwd',
  '/etc/group',
  '/etc/nsswitch.conf',
  '/etc/hosts',
  '/etc/localtime',
  '/etc/os-release',
];
/**
 * What the check needs of CARGO_HOME: tool proxies, downloaded sources, config (source
 * replacement must match what `cargo fetch` used). Not `credentials.toml`: registry tokens.
 */
const CARGO_HOME_ENTRIES = ['bin', 'registry', 'git', 'config.toml', 'config'];

export interface SandboxLayout {
  /** The worktree (a real path): read-only at SANDBOX_TREE, the working directory. */
  cwd: string;
  /** CARGO_TARGET_DIR (a real path): the one writable host directory, at SANDBOX_TARGET. */
  targetDir: string;
  homes: ToolchainHomes;
  /** More host paths to show read-only, e.g. the directory the check command lives in. */
  extraReadOnly: string[];
}

/**
 * The sandbox's file system: system and toolchain read-only, the worktree read-only at
 * SANDBOX_TREE, the target dir writable at SANDBOX_TARGET, a size-capped /tmp with an empty HOME, and everything else read-only.
 * CARGO_HOME is a fresh tmpfs with the real `bin`, `registry` and `git` bound read-only into
 * it, so cargo can write its lock files (`.package-cache`) and `.global-cache` there without
 * touching — or being able to poison — the real CARGO_HOME.
 */
export async function sandboxMounts(layout: SandboxLayout): Promise<Mount[]> {
  const mounts: Mount[] = [];
  for (const path of SYSTEM_PATHS) {
    const kind = await pathKind(path);
    if (kind === 'symlink') mounts.push({ type: 'symlink', target: await readlink(path), dest: path });
    else if (kind === 'other') mounts.push({ type: 'ro-bind', source: path, dest: path });
  }
  for (const path of ETC_PATHS) mounts.push({ type: 'ro-bind-try', source: path, dest: path });
  mounts.push({ type: 'proc', dest: '/proc' }, { type: 'dev', dest: '/dev' });
  mounts.push({ type: 'tmpfs', dest: '/tmp', sizeBytes: SANDBOX_TMP_BYTES }, { type: 'dir', dest: SANDBOX_HOME });

  const { cargoHome, rustupHome } = layout.homes;
  mounts.push({ type: 'tmpfs', dest: cargoHome, sizeBytes: SANDBOX_CARGO_HOME_BYTES });
  for (const entry of CARGO_HOME_ENTRIES) {
    mounts.push({ type: 'ro-bind-try', source: join(cargoHome, entry), dest: join(cargoHome, entry) });
  }
  mounts.push({ type: 'ro-bind-try', source: rustupHome, dest: rustupHome });

  const covered = ['/usr', join(cargoHome, 'bin'), rustupHome, layout.cwd];
  for (const path of layout.extraReadOnly) {
    if (!covered.some((root) => isWithin(path, root))) mounts.push({ type: 'ro-bind', source: path, dest: path });
  }
  mounts.push({ type: 'ro-bind', source: layout.cwd, dest: SANDBOX_TREE });
  mounts.push({ type: 'bind', source: layout.targetDir, dest: SANDBOX_TARGET });
  // The sandbox's root is itself a tmpfs (with no size cap): nothing may be written there.
  mounts.push({ type: 'remount-ro', dest: '/' });
  return mounts;
}

async function pathKind(path: string): Promise<'symlink' | 'other' | 'missing'> {
  try {
    return (await lstat(path)).isSymbolicLink() ? 'symlink' : 'other';
  } catch {
    // ENOENT, or a parent we may not search: nothing to mount either way.
    return 'missing';
  }
}

export function isWithin(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
