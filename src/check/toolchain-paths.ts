import { access, realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { findExecutable } from './check-command.js';
import { isRustupProxy } from './check-fetch.js';

/**
 * The host paths the sandbox must show (read-only, at the same place) for the check to run
 * `cargo` and the `rustc` it runs, wherever they are installed: for each, the directory it is
 * found in on PATH and — when that is a Rust toolchain's `bin` (beside a `lib/rustlib`) — the
 * whole toolchain, as PATH shows it and as it really is (rustc loads `../lib/librustc_driver`
 * relative to where it runs from). A distro toolchain under /usr is already there; rustup's
 * proxies live in CARGO_HOME/bin and their toolchains in RUSTUP_HOME, both mounted anyway.
 * Nothing wider than a toolchain is added: a cargo in `~/bin` shows `~/bin`, not `~`.
 */
export async function toolchainPaths(options: { program: string; pathValue: string }): Promise<string[]> {
  const paths = new Set<string>([dirname(options.program)]);
  const tools = [options.program];
  if (basename(options.program) === 'cargo') {
    const rustc = await findExecutable('rustc', options.pathValue, '/');
    if (rustc !== null) tools.push(rustc);
  }
  for (const tool of tools) {
    if (await isRustupProxy(tool)) continue;
    paths.add(dirname(tool));
    const real = await realpath(tool).catch(() => tool);
    for (const bin of [dirname(tool), dirname(real)]) {
      if (basename(bin) === 'bin' && (await isToolchainRoot(dirname(bin)))) paths.add(dirname(bin));
    }
  }
  return [...paths];
}

async function isToolchainRoot(dir: string): Promise<boolean> {
  return access(join(dir, 'lib', 'rustlib')).then(
    () => true,
    () => false,
  );
}

/**
 * What a failed check's output says when the toolchain itself could not run in the sandbox
 * (a missing rustc, a library it loads): the line naming what is missing; null otherwise.
 */
export function toolchainMissing(output: string): string | null {
  const patterns = [
    /could not execute process `[^`]*rustc[^`]*-vV`[^\n]*/,
    /error while loading shared libraries: [^\n]*/,
    /no such command: `[^`]*`/,
    /error: toolchain '[^']*' is not installed[^\n]*/,
  ];
  for (const pattern of patterns) {
    const found = pattern.exec(output);
    if (found) return found[0].trim();
  }
  return null;
}
