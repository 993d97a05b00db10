import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkEnvironment, type ToolchainHomes } from './check-environment.js';
import { createOutputBuffer } from './check-output.js';
import { runProcess } from './check-process.js';

const FETCH_OUTPUT_CAP_BYTES = 16 * 1024;

export interface FetchOptions {
  /** The worktree; nothing happens unless it has a Cargo.toml. */
  cwd: string;
  /** The bot's environment, to take the allow-list from. */
  env: NodeJS.ProcessEnv;
  homes: ToolchainHomes;
  /** The cargo executable; null skips the fetch. */
  cargo: string | null;
  timeoutMs: number;
  signal?: AbortSignal;
}

export type FetchOutcome =
  | { type: 'skipped' }
  | { type: 'fetched' }
  | { type: 'failed'; timedOut: boolean; aborted: boolean; note: string };

/**
 * `cargo fetch` before the check, so the sandboxed check (no network, read-only tree) finds
 * Cargo.lock written and every dependency downloaded. It runs outside the sandbox, so it
 * must not run repository code, and the repository must not steer it:
 * - cwd is an empty temp directory and the manifest is passed by path: cargo and rustup take
 *   `.cargo/config.toml` and `rust-toolchain.toml` from the cwd, and those could name a
 *   `rustc-wrapper`, a credential provider or a toolchain `path` — i.e. run a program;
 * - HOME is that empty directory too (CARGO_HOME/RUSTUP_HOME are spelled out), so a git
 *   dependency never sees the user's ~/.gitconfig credential helpers or ~/.ssh;
 * - the environment is the same allow-list as the check's.
 * Cargo itself only resolves and downloads in `fetch`; build scripts run in the check.
 */
export async function prefetchDependencies(options: FetchOptions): Promise<FetchOutcome> {
  const manifest = join(options.cwd, 'Cargo.toml');
  if (options.cargo === null || !(await exists(manifest))) return { type: 'skipped' };
  const neutral = await mkdtemp(join(tmpdir(), 'scrum-apply-fetch-'));
  try {
    const output = createOutputBuffer(FETCH_OUTPUT_CAP_BYTES);
    const { cargoHome, rustupHome } = options.homes;
    const outcome = await runProcess({
      file: options.cargo,
      args: ['fetch', '--manifest-path', manifest],
      cwd: neutral,
      env: checkEnvironment(options.env, { offline: false, overrides: { HOME: neutral, CARGO_HOME: cargoHome, RUSTUP_HOME: rustupHome } }),
      timeoutMs: options.timeoutMs,
      output,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (outcome.exitCode === 0) return { type: 'fetched' };
    const how = outcome.timedOut
      ? 'timed out'
      : outcome.spawnError !== null
        ? `could not start (${outcome.spawnError})`
        : `failed (exit ${outcome.exitCode ?? outcome.signal})`;
    return {
      type: 'failed',
      timedOut: outcome.timedOut,
      aborted: outcome.aborted,
      note: `[scrum-apply] \`cargo fetch\` ${how} before the check; the check runs offline with what is already downloaded.\n${output.text()}\n`,
    };
  } finally {
    await rm(neutral, { recursive: true, force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    // Absent or unreadable: the same answer for what follows.
    return false;
  }
}
