import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Logger } from '../log/logger.js';
import { FALLBACK_PATH, findExecutable, parseCommand } from './check-command.js';
import { toolchainHomes } from './check-environment.js';
import { prefetchDependencies, type FetchOutcome } from './check-fetch.js';
import type { DirectCargo } from './direct-cargo.js';
import { writeSlotFile } from './slot-pool.js';

/** How a check is to treat `cargo fetch` (runCheck's `fetch` and `offline`). */
export interface FetchPlan {
  fetch?: false;
  offline?: boolean;
  /** A fetch (this call's, or the check's own) may have written to the worktree (Cargo.lock). */
  changedTree: boolean;
}

export interface SharedFetch {
  /** Call in the slot, before the check; the first call fetches, the others wait for it. */
  planFor(slotDir: string, direct?: DirectCargo | null): Promise<FetchPlan>;
}

/**
 * `cargo fetch` once per run, in the first slot, with the repository's Cargo configuration
 * (check-fetch.ts). Every check of a run sees the same manifests, lock file and config (a
 * patch never touches Cargo.toml, Cargo.lock, .cargo/ — ALWAYS_DENY), so its outcome serves
 * every check, and no check fetches again:
 * - fetched: every check runs offline (`--offline` through CARGO_NET_OFFLINE);
 * - the fetch wrote Cargo.lock (none committed, or an outdated one): the other slots get the
 *   same lock file written in, and their trees count as changed (reset after the check);
 * - failed: logged once, at warn, with Cargo's message; the checks run offline with what is
 *   already there and pass or fail on their own merits (their output says why).
 */
export function createSharedFetch(options: {
  /** The check command: its cargo is the one that fetches, as in runCheck. */
  command: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal | undefined;
  logger?: Logger;
}): SharedFetch {
  const env = options.env ?? process.env;
  let first: Promise<{ outcome: FetchOutcome; lock: Buffer | null }> | null = null;

  async function fetchIn(slotDir: string, direct: DirectCargo | null): Promise<{ outcome: FetchOutcome; lock: Buffer | null }> {
    const lockPath = join(slotDir, 'Cargo.lock');
    // No Cargo.lock (or none readable) is a state of its own.
    const before = await readFile(lockPath).catch(() => null);
    const path = env.PATH || FALLBACK_PATH;
    const [program] = parseCommand(options.command);
    const executable = program === undefined ? null : await findExecutable(program, path, slotDir);
    const cargo = executable !== null && basename(executable) === 'cargo' ? executable : await findExecutable('cargo', path, slotDir);
    const outcome = await prefetchDependencies({
      cwd: slotDir,
      env,
      homes: await toolchainHomes(env),
      cargo,
      toolchain: direct !== null && direct.proxy === cargo ? direct : null,
      timeoutMs: options.timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const after = await readFile(lockPath).catch(() => null);
    const { cargoHome } = await toolchainHomes(env);
    if (outcome.type === 'failed' && !outcome.aborted) {
      options.logger?.warn(
        { cargo: hostPathsHidden(outcome.message, { [slotDir]: '<tree>', [cargoHome]: '$CARGO_HOME' }), repositoryConfig: outcome.repositoryConfig },
        'cargo fetch failed; the checks run offline with what is already downloaded',
      );
    } else if (outcome.type === 'fetched') {
      options.logger?.debug({ repositoryConfig: outcome.repositoryConfig }, 'cargo fetch done');
    }
    const changed = after !== null && (before === null || !before.equals(after));
    return { outcome, lock: changed ? after : null };
  }

  return {
    async planFor(slotDir, direct = null) {
      const mine = first === null;
      first ??= fetchIn(slotDir, direct);
      const { outcome, lock } = await first;
      if (outcome.type === 'skipped') return { fetch: false, offline: false, changedTree: false };
      if (lock === null) return { fetch: false, offline: true, changedTree: false };
      // The lock file the fetch wrote, in every other slot too (it wrote it in this one).
      if (!mine) await writeSlotFile({ dir: slotDir }, 'Cargo.lock', lock);
      return { fetch: false, offline: true, changedTree: true };
    },
  };
}

/** Cargo's message without the bot's own directories (the slot, CARGO_HOME). */
function hostPathsHidden(message: string, names: Record<string, string>): string {
  return Object.entries(names).reduce((text, [path, name]) => text.split(path).join(name), message);
}
