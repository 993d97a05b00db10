import { join } from 'node:path';
import type { CheckConfig } from '../config/config-schema.js';
import type { ScratchRepo } from '../git/scratch-repo.js';
import type { Logger } from '../log/logger.js';
import type { Span } from '../report/run-report.js';
import { CheckCannotRunError } from './check-cannot-run-error.js';
import { introducedWarnings, type Diagnostic } from './check-diagnostics.js';
import { checkInSlot } from './check-in-slot.js';
import type { CheckResult } from './run-check.js';
import { createSharedDirectCargo } from './shared-direct-cargo.js';
import { createSharedFetch } from './shared-fetch.js';
import { createSlotPool } from './slot-pool.js';
import { planSlots } from './slot-plan.js';
import { warmSlots, type SlotWarming, type WarmStrategy } from './warm-slots.js';

export type { CheckResult } from './run-check.js';
export type { Diagnostic } from './check-diagnostics.js';
export type { WarmStrategy } from './warm-slots.js';
export { CheckCannotRunError } from './check-cannot-run-error.js';
export { detectSandbox, type SandboxChoice } from './sandbox.js';

/** The tree every check starts from: the base commit, in worktrees of the scratch repository. */
export interface CheckTree {
  scratch: ScratchRepo;
  baseSha: string;
  /** Where the worktrees and their target dirs go (ours alone). */
  root: string;
  /** The Cargo package holding `path` at the base (its directory), or null: files of one package share a worktree. */
  packageDirOf(path: string): Promise<string | null>;
}

/** One file to check: the base tree with this file's content replaced. */
export interface CheckFile {
  /** The caller's name for this check (its events carry it). */
  id: number;
  path: string;
  patched: Buffer;
  /** The file as the base has it (to put back afterwards). */
  original: Buffer;
}

export interface CheckerOptions {
  config: CheckConfig;
  /** From detectSandbox: where repository code runs. */
  sandbox: 'bwrap' | 'none';
  tree: CheckTree;
  /** Worktrees at once, each with its own target dir (1: checks one after another). */
  slots: number;
  /** Where the toolchain is found (PATH, CARGO_HOME, RUSTUP_HOME…; allow-listed): default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The run's signal: cancels running checks (their process trees are killed). */
  signal?: AbortSignal | undefined;
  logger: Logger;
  /** Milliseconds since the run started, for the checks' spans (default: since this call). */
  elapsedMs?: () => number;
  /** Told when a file's check starts and ends (which checks ran alongside which). */
  events?: { started(id: number): void; ended(id: number): void };
  /** How slots get the warm build (warm-slots.ts); default `copy` (README "Real projects"); `share` is for bench:warm only. */
  warmUp?: WarmStrategy;
}

/** A check's outcome, when and how long it ran, and the warnings its patch introduced. */
export interface FileCheck {
  result: CheckResult;
  span: Span;
  /** The patched check's warnings the base did not have (code, message, file; lines ignored); null when the base's are not known. */
  newWarnings: Diagnostic[] | null;
}

export interface Checker {
  /**
   * The order to ask the model in, as positions in `paths`: a package's files are checked in
   * one worktree (its target dir then rebuilds only that package) and every worktree gets its
   * share of each round's answers. Later checks of these paths use the worktree planned here.
   */
  order(paths: string[], concurrency: number): Promise<number[]>;
  /** Build the unpatched base in the background, in up to `files` worktrees, so the first checks are incremental. */
  warm(files: number): void;
  /**
   * Check the base tree with `file` patched in; never throws for a red or failed check (the
   * result says why) — only when the check cannot run at all (CheckCannotRunError).
   */
  check(file: CheckFile): Promise<FileCheck>;
  /** Stop the warm-up, refuse new checks. */
  close(): Promise<void>;
}

/**
 * The check as one object: worktree slots of the base tree, the dependency fetch and the
 * toolchain lookup made once per run, the warm-up, and which slot checks which file. The
 * pipeline asks it to check a file and gets a CheckResult.
 */
export function createChecker(options: CheckerOptions): Checker {
  const { config, sandbox, logger, signal } = options;
  const started = performance.now();
  const elapsedMs = options.elapsedMs ?? (() => Math.round(performance.now() - started));
  const slots = Math.max(1, Math.floor(options.slots));
  const warmUp = options.warmUp ?? 'copy';
  const pool = createSlotPool({
    scratch: options.tree.scratch,
    root: options.tree.root,
    baseSha: options.tree.baseSha,
    size: slots,
    logger,
    ...(warmUp === 'share' && sandbox === 'bwrap' ? { sharedTargetDir: join(options.tree.root, 'shared-target') } : {}),
  });
  const env = options.env ?? process.env;
  const fetch = createSharedFetch({ command: config.command, timeoutMs: config.timeoutSeconds * 1000, env, signal, logger });
  const directCargo = createSharedDirectCargo({ check: config, sandbox, env, signal, logger });
  const slotOf = new Map<string, number>();
  let warming: SlotWarming | null = null;
  return {
    async order(paths, concurrency) {
      if (slots < 2 || paths.length < 2) return paths.map((_, at) => at);
      const packages = await Promise.all(paths.map((path) => options.tree.packageDirOf(path)));
      return planSlots(packages.map((pkg) => ({ pkg })), { slots, concurrency }).map(({ at, slot }) => {
        if (slot !== undefined) slotOf.set(paths[at] as string, slot);
        return at;
      });
    },

    warm(files) {
      warming ??= warmSlots({ pool, count: Math.min(slots, files), strategy: warmUp, check: config, sandbox, env, fetch, directCargo, logger, signal });
    },

    async check(file) {
      // The one warm build first (checks then take slots in the order they came), not a cold build beside it.
      await warming?.gate;
      const cannotRun = warming?.cannotRun() ?? null;
      if (cannotRun !== null) throw new CheckCannotRunError(cannotRun);
      const checked = await pool.withSlot(async (slot) => {
        options.events?.started(file.id);
        try {
          const checked = await checkInSlot({
            slot,
            check: config,
            sandbox,
            env,
            fetch,
            directCargo,
            file: { path: file.path, patched: file.patched, original: file.original },
            signal,
            elapsedMs,
          });
          if (checked.result.notRun !== null) throw new CheckCannotRunError(checked.result.notRun);
          return checked;
        } finally {
          options.events?.ended(file.id);
        }
      }, slotOf.get(file.path));
      const base = checked.result.green && checked.result.diagnostics !== null ? await (warming?.base ?? null) : null;
      return { ...checked, newWarnings: base === null || checked.result.diagnostics === null ? null : introducedWarnings(checked.result.diagnostics, base) };
    },

    async close() {
      await warming?.stop();
      pool.close();
    },
  };
}
