import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';
import { DEMO_WORKSPACE } from '../../tools/demo/create-demo-repo.js';

/** A real temporary directory (realpath), removed by the returned cleanup. */
export function tempRoot(prefix: string): { root: string; cleanup: () => void } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * Call at a test file's top level: returns a function giving a fresh temporary directory
 * (realpath), each removed after the test that made it.
 */
export function scratchRoots(prefix: string): () => string {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });
  return () => {
    const { root, cleanup } = tempRoot(prefix);
    cleanups.push(cleanup);
    return root;
  };
}

/** A copy of examples/demo-workspace at `dir` (without target/). */
export function copyDemoWorkspace(dir: string): string {
  cpSync(DEMO_WORKSPACE, dir, { recursive: true, filter: (src) => !src.slice(DEMO_WORKSPACE.length).startsWith('/target') });
  return dir;
}

/** Write files (relative path → content) under `dir`. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/** A one-package crate (no dependencies) whose build script is `buildRs`. */
export function writeBuildScriptCrate(dir: string, name: string, buildRs: string, extra: Record<string, string> = {}): string {
  writeFiles(dir, {
    'Cargo.toml': `[package]\nname = "${name}"\nversion = "0.1.0"\nedition = "2021"\nbuild = "build.rs"\n\n[dependencies]\n`,
    'src/lib.rs': 'pub fn answer() -> u32 {\n    42\n}\n',
    'build.rs': buildRs,
    ...extra,
  });
  return dir;
}

/** The real toolchain homes of this machine (tests may replace HOME). */
export function realToolchainHomes(): { CARGO_HOME: string; RUSTUP_HOME: string } {
  const home = process.env.HOME || homedir();
  return {
    CARGO_HOME: realpathSync(process.env.CARGO_HOME || join(home, '.cargo')),
    RUSTUP_HOME: realpathSync(process.env.RUSTUP_HOME || join(home, '.rustup')),
  };
}

/** Command lines of live processes containing `marker` (pgrep -f), excluding pgrep itself. */
export function processesMatching(marker: string): string[] {
  try {
    return execFileSync('pgrep', ['-a', '-f', marker], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.includes('pgrep'));
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** The real timers, taken before any test fakes them: polling must go on under fake timers. */
const realSetTimeout = globalThis.setTimeout;
const realNow = Date.now;

/**
 * Poll `probe` every 100 ms until it returns true or `timeoutMs` passes (a bound for a test
 * that fails, not a barrier: it returns as soon as the probe holds). Real time even while a
 * test fakes the timers.
 */
export async function waitFor(probe: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = realNow() + timeoutMs;
  while (realNow() < deadline) {
    if (probe()) return true;
    await new Promise((resolve) => realSetTimeout(resolve, 100));
  }
  return probe();
}
