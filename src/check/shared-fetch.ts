import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { FALLBACK_PATH, findExecutable, parseCommand } from './check-command.js';
import { toolchainHomes } from './check-environment.js';
import { prefetchDependencies, type FetchOutcome } from './check-fetch.js';

/** How a check is to treat `cargo fetch` (runCheck's `fetch` and `offline`). */
export interface FetchPlan {
  fetch?: false;
  offline?: boolean;
  /** A fetch (this call's, or the check's own) may have written to the worktree (Cargo.lock). */
  changedTree: boolean;
}

export interface SharedFetch {
  /** Call in the slot, before the check; the first call fetches, the others wait for it. */
  planFor(slotDir: string): Promise<FetchPlan>;
}

/**
 * `cargo fetch` once per run instead of before every check. Every check of a run sees the
 * same manifests and lock file (a patch never touches Cargo.toml, Cargo.lock, .cargo/ —
 * ALWAYS_DENY), so once a fetch has succeeded without changing the tracked Cargo.lock, what
 * it downloaded serves every later check, which then runs offline straight away (~0.2 s
 * saved per check). In any other case (no lock file, a lock the fetch rewrote, a failed
 * fetch) checks keep fetching for themselves, exactly as runCheck does alone.
 */
export function createSharedFetch(options: {
  /** The check command: its cargo is the one that fetches, as in runCheck. */
  command: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal | undefined;
}): SharedFetch {
  const env = options.env ?? process.env;
  let first: Promise<{ outcome: FetchOutcome; stable: boolean }> | null = null;

  async function fetchIn(slotDir: string): Promise<{ outcome: FetchOutcome; stable: boolean }> {
    const lock = join(slotDir, 'Cargo.lock');
    // No Cargo.lock (or none readable) is a state of its own: the fetch then cannot be shared.
    const before = await readFile(lock).catch(() => null);
    const path = env.PATH || FALLBACK_PATH;
    const [program] = parseCommand(options.command);
    const executable = program === undefined ? null : await findExecutable(program, path, slotDir);
    const cargo = executable !== null && basename(executable) === 'cargo' ? executable : await findExecutable('cargo', path, slotDir);
    const outcome = await prefetchDependencies({
      cwd: slotDir,
      env,
      homes: await toolchainHomes(env),
      cargo,
      timeoutMs: options.timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const after = await readFile(lock).catch(() => null);
    return { outcome, stable: before !== null && after !== null && before.equals(after) };
  }

  return {
    async planFor(slotDir) {
      if (first === null) {
        first = fetchIn(slotDir);
        const { outcome, stable } = await first;
        // A failed fetch: the check tries again itself and reports why (runCheck's note).
        if (outcome.type === 'failed') return { changedTree: true };
        // This slot has just fetched: its own check need not, as in runCheck.
        return { fetch: false, offline: outcome.type === 'fetched', changedTree: outcome.type === 'fetched' && !stable };
      }
      const { outcome, stable } = await first;
      if (outcome.type === 'skipped') return { fetch: false, offline: false, changedTree: false };
      if (outcome.type === 'fetched' && stable) return { fetch: false, offline: true, changedTree: false };
      return { changedTree: true };
    },
  };
}
