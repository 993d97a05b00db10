import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { FALLBACK_PATH, findExecutable, parseCommand } from './check-command.js';
import { toolchainHomes } from './check-environment.js';

/**
 * The toolchain's own cargo, to run instead of rustup's `cargo` proxy. The proxy (a link to
 * `rustup`) does nothing but pick a toolchain — from RUSTUP_TOOLCHAIN, `rust-toolchain.toml`,
 * a directory override or the default — and run that toolchain's cargo with RUSTUP_TOOLCHAIN
 * set; on a small crate it is about a tenth of a check. Every check of a run sees the same
 * toolchain files (a patch never touches `rust-toolchain*`, ALWAYS_DENY), so the choice is
 * made once per run (resolveDirectCargo) and each check then runs that cargo itself.
 */
export interface DirectCargo {
  /** The proxy the check command names (…/.cargo/bin/cargo), as found on PATH. */
  proxy: string;
  /** What the proxy would run: `<RUSTUP_HOME>/toolchains/<toolchain>/bin/cargo`. */
  cargo: string;
  /** RUSTUP_TOOLCHAIN, as the proxy sets it. */
  toolchain: string;
}

/**
 * `rustup` beside `executable` when `executable` is its `cargo` proxy (a symlink or hard
 * link to it, as rustup installs them); null for anything else.
 */
export async function rustupProxyOf(executable: string): Promise<string | null> {
  if (basename(executable) !== 'cargo') return null;
  const rustup = join(dirname(executable), 'rustup');
  try {
    const [cargoReal, rustupReal] = await Promise.all([realpath(executable), realpath(rustup)]);
    if (cargoReal === rustupReal) return rustup;
    const [a, b] = await Promise.all([stat(cargoReal), stat(rustupReal)]);
    return a.dev === b.dev && a.ino === b.ino ? rustup : null;
  } catch {
    // No rustup beside it (ENOENT, the usual case for a distro cargo) or one we cannot read:
    // not a proxy, and the check runs the command as given.
    return null;
  }
}

/**
 * The toolchain in what `rustup which cargo` printed (its last line): only an installed
 * toolchain, `<rustupHome>/toolchains/<name>/bin/cargo`. A toolchain given by path (in
 * `rust-toolchain.toml`) or anything unexpected is null: the proxy stays.
 */
export function parseRustupWhich(output: string, rustupHome: string): { cargo: string; toolchain: string } | null {
  const lines = output.split('\n').map((line) => line.trim()).filter((line) => line.length > 0 && !line.startsWith('[scrum-apply]'));
  const last = lines.at(-1);
  const root = `${rustupHome}${sep}toolchains${sep}`;
  if (last === undefined || !last.startsWith(root)) return null;
  const rest = last.slice(root.length).split(sep);
  const [toolchain, bin, cargo] = rest;
  if (rest.length !== 3 || bin !== 'bin' || cargo !== 'cargo' || toolchain === undefined) return null;
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(toolchain)) return null;
  return { cargo: last, toolchain };
}

/**
 * Which cargo the check command's rustup proxy would run in `cwd`: `rustup which cargo`, run
 * the way the check runs (`runWhich`: same sandbox, environment and tree), so the answer is
 * the proxy's own. Null when the command is not the proxy (or starts with `+toolchain`), or
 * rustup gives no plain answer — the checks then keep the proxy.
 */
export async function resolveDirectCargo(options: {
  command: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Runs `<rustup> which cargo` as a check would and returns its output, or null when it failed. */
  runWhich: (command: string) => Promise<string | null>;
}): Promise<DirectCargo | null> {
  const env = options.env ?? process.env;
  const [program, first] = parseCommand(options.command);
  if (program === undefined || first?.startsWith('+')) return null;
  const proxy = await findExecutable(program, env.PATH || FALLBACK_PATH, options.cwd);
  const rustup = proxy === null ? null : await rustupProxyOf(proxy);
  // The command string is split on whitespace: a path with spaces cannot be one word of it.
  if (proxy === null || rustup === null || /\s/.test(rustup)) return null;
  const output = await options.runWhich(`${rustup} which cargo`);
  if (output === null) return null;
  const found = parseRustupWhich(output, (await toolchainHomes(env)).rustupHome);
  return found === null ? null : { proxy, ...found };
}
