import { access, mkdtemp, readFile, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { FALLBACK_PATH, findExecutable } from './check-command.js';
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
  /** The toolchain's own cargo and its name, when the check command's rustup proxy was resolved (direct-cargo.ts). */
  toolchain?: { cargo: string; toolchain: string } | null;
  timeoutMs: number;
  signal?: AbortSignal;
}

export type FetchOutcome =
  | { type: 'skipped' }
  | { type: 'fetched'; repositoryConfig: RepositoryConfigUse }
  | { type: 'failed'; timedOut: boolean; aborted: boolean; note: string; message: string; repositoryConfig: RepositoryConfigUse };

/** Whether the fetch ran in the worktree (its `.cargo/config.toml` applied) or, and why not, from an empty directory. */
export type RepositoryConfigUse = { honoured: true } | { honoured: false; why: string };

/**
 * Words in a repository's `.cargo/config.toml` that make the fetch ignore it: a credential
 * provider is a program cargo runs (with our network and files), and an HTTP proxy with its
 * own CA (`cainfo`) could feed forged crates into the shared CARGO_HOME for every later run.
 */
const UNSAFE_CONFIG_WORDS = /credential|cainfo|proxy/i;

/**
 * `cargo fetch` before the check, so the sandboxed check (no network, read-only tree) finds
 * Cargo.lock written and every dependency downloaded. It runs OUTSIDE the sandbox (it needs
 * the network and a writable CARGO_HOME), and `cargo fetch` runs no build script, but cargo
 * and rustup read configuration that can name programs. So:
 * - cwd is the worktree, so the repository's `.cargo/config.toml` (source replacement,
 *   vendored directories, registries, `[net]`) applies exactly as for a person running cargo
 *   there — and CARGO_HOME's own config too;
 * - every key of it that names a program cargo would run during a fetch is pinned by the
 *   environment, which beats config files: RUSTC is the toolchain's real rustc, RUSTC_WRAPPER
 *   and RUSTC_WORKSPACE_WRAPPER are empty (no wrapper), CARGO_ENCODED_RUSTFLAGS is empty (no
 *   `-Z codegen-backend=./x.so`), CARGO_TARGET_DIR is ours (no writes elsewhere);
 * - rustup never picks the toolchain from the tree (a `rust-toolchain.toml` may name a
 *   toolchain by path, i.e. a program): cargo and rustc must be real binaries, or the
 *   toolchain rustup's proxy would run, resolved in the sandbox (`toolchain`);
 * - a config naming a credential provider, a proxy or a CA file (UNSAFE_CONFIG_WORDS), or a
 *   toolchain we cannot pin, makes the fetch run as before from an empty directory, without
 *   the repository's config (the check, in the sandbox, still reads it);
 * - HOME is an empty directory (CARGO_HOME/RUSTUP_HOME are spelled out), so a git
 *   dependency never sees the user's ~/.gitconfig credential helpers or ~/.ssh;
 * - the environment is otherwise the same allow-list as the check's.
 */
export async function prefetchDependencies(options: FetchOptions): Promise<FetchOutcome> {
  const manifest = join(options.cwd, 'Cargo.toml');
  if (options.cargo === null || !(await exists(manifest))) return { type: 'skipped' };
  const neutral = await mkdtemp(join(tmpdir(), 'scrum-apply-fetch-'));
  try {
    const pinned = await pinnedToolchain(options);
    const repositoryConfig: RepositoryConfigUse = 'why' in pinned ? { honoured: false, why: pinned.why } : { honoured: true };
    const output = createOutputBuffer(FETCH_OUTPUT_CAP_BYTES);
    const { cargoHome, rustupHome } = options.homes;
    const base = checkEnvironment(options.env, { offline: false, overrides: { HOME: neutral, CARGO_HOME: cargoHome, RUSTUP_HOME: rustupHome } });
    const env =
      'why' in pinned
        ? base
        : {
            ...base,
            ...pinned.env,
            RUSTC: pinned.rustc,
            RUSTC_WRAPPER: '',
            RUSTC_WORKSPACE_WRAPPER: '',
            CARGO_ENCODED_RUSTFLAGS: '',
            CARGO_TARGET_DIR: join(neutral, 'target'),
          };
    const outcome = await runProcess({
      file: 'why' in pinned ? options.cargo : pinned.cargo,
      args: ['fetch', '--manifest-path', manifest],
      cwd: 'why' in pinned ? neutral : options.cwd,
      env,
      timeoutMs: options.timeoutMs,
      output,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (outcome.exitCode === 0) return { type: 'fetched', repositoryConfig };
    const how = outcome.timedOut
      ? 'timed out'
      : outcome.spawnError !== null
        ? `could not start (${outcome.spawnError})`
        : `failed (exit ${outcome.exitCode ?? outcome.signal})`;
    const message = output.text().trim();
    return {
      type: 'failed',
      timedOut: outcome.timedOut,
      aborted: outcome.aborted,
      message: `cargo fetch ${how}${message === '' ? '' : `: ${message}`}`,
      note: `[scrum-apply] \`cargo fetch\` ${how} before the check; the check runs offline with what is already downloaded.\n${message}\n`,
      repositoryConfig,
    };
  } finally {
    await rm(neutral, { recursive: true, force: true });
  }
}

/** The cargo and rustc to run the fetch with in the worktree, or why it must not run there. */
async function pinnedToolchain(options: FetchOptions): Promise<{ cargo: string; rustc: string; env: Record<string, string> } | { why: string }> {
  for (const name of ['config.toml', 'config']) {
    const text = await readFile(join(options.cwd, '.cargo', name), 'utf8').catch(() => '');
    if (UNSAFE_CONFIG_WORDS.test(text)) return { why: `.cargo/${name} names a credential provider, a proxy or a CA file` };
  }
  if (options.toolchain) {
    const bin = dirname(options.toolchain.cargo);
    return {
      cargo: options.toolchain.cargo,
      rustc: join(bin, 'rustc'),
      env: { RUSTUP_TOOLCHAIN: options.toolchain.toolchain, LD_LIBRARY_PATH: join(dirname(bin), 'lib') },
    };
  }
  const cargo = options.cargo as string;
  const rustc = await findExecutable('rustc', options.env.PATH || FALLBACK_PATH, '/');
  if (rustc === null) return { why: 'no rustc on PATH' };
  if ((await isRustupProxy(cargo)) || (await isRustupProxy(rustc))) return { why: "rustup's toolchain for this tree was not resolved" };
  return { cargo, rustc, env: {} };
}

/** `executable` is rustup itself under another name (a proxy: a symlink or hard link to the `rustup` beside it). */
export async function isRustupProxy(executable: string): Promise<boolean> {
  if (basename(executable) === 'rustup') return true;
  const real = await realpath(executable).catch(() => executable);
  if (basename(real) === 'rustup') return true;
  try {
    const rustup = await realpath(join(dirname(executable), 'rustup'));
    if (real === rustup) return true;
    const [a, b] = await Promise.all([stat(real), stat(rustup)]);
    return a.dev === b.dev && a.ino === b.ino;
  } catch {
    return false;
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
