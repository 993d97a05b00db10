import { mkdir, realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FALLBACK_PATH, findExecutable, parseCommand } from './check-command.js';
import { checkEnvironment, toolchainHomes, type ToolchainHomes } from './check-environment.js';
import { prefetchDependencies, type FetchOutcome } from './check-fetch.js';
import { prlimitPrefix, DEFAULT_LIMITS, type ResourceLimits } from './check-limits.js';
import { createOutputBuffer, DEFAULT_OUTPUT_CAP_BYTES } from './check-output.js';
import type { DirectCargo } from './direct-cargo.js';
import { toolchainMissing, toolchainPaths } from './toolchain-paths.js';
import { cargoError, createDiagnosticsSink, withJsonMessages, type CheckDiagnostics } from './check-diagnostics.js';
import { runProcess, type ProcessOutcome } from './check-process.js';
import { findBwrap, sandboxedCommand, sandboxPath, type BwrapFeatures } from './sandbox.js';
import { SANDBOX_HOME, SANDBOX_TARGET, SANDBOX_TREE } from './sandbox-mounts.js';

export interface RunCheckOptions {
  /** Split on whitespace into argv; never given to a shell. */
  command: string;
  /** The worktree. Read-only inside the sandbox. */
  cwd: string;
  /** CARGO_TARGET_DIR: writable, kept between runs (created when missing). */
  targetDir: string;
  /** For everything: `cargo fetch` and the check together. */
  timeoutMs: number;
  sandbox: 'bwrap' | 'none';
  /** Default 256 KiB: the first 64 KiB and the last bytes, with a marker between. */
  outputCapBytes?: number;
  /** The bot's environment, to take the allow-list from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** CARGO_NET_OFFLINE=true. Default: true when `cargo fetch` ran first. */
  offline?: boolean;
  /** Run `cargo fetch` first when the worktree has a Cargo.toml (default true). */
  fetch?: boolean;
  /** Cancels the check (the process tree is killed), e.g. when the run is cancelled. */
  signal?: AbortSignal;
  limits?: ResourceLimits;
  /** When the command names this rustup proxy, run the toolchain's cargo directly (direct-cargo.ts). */
  directCargo?: DirectCargo | null;
}

export interface CheckResult {
  command: string;
  /** Null when the command could not be started or was killed (time limit, signal). */
  exitCode: number | null;
  durationMs: number;
  /** stdout and stderr interleaved, capped; lines starting `[scrum-apply]` are ours. */
  output: string;
  timedOut: boolean;
  green: boolean;
  sandboxed: boolean;
  /** The compiler's messages as data, when the command is a Cargo build (`--message-format=json…`); null otherwise. */
  diagnostics: CheckDiagnostics | null;
  /** Why the check could not run at all (not started, the toolchain missing); null when it ran. */
  notRun: string | null;
}

/**
 * Runs the check command on a worktree of repository code, which is assumed hostile (build
 * scripts and proc macros run). When the worktree has a Cargo.toml, `cargo fetch` runs first,
 * unsandboxed but without repository code (see prefetchDependencies); the check itself then
 * runs offline — with `bwrap`, in the sandbox of sandbox-mounts.ts and sandbox.ts.
 * The environment is an allow-list; at the time limit the whole process tree is killed.
 * With `none` a descendant that called setsid() leaves the process group and can survive
 * the kill — one more reason for the sandbox. Never throws: a check that cannot even start
 * is a red result (exitCode null) saying why.
 */
export async function runCheck(options: RunCheckOptions): Promise<CheckResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const argv = parseCommand(options.command);
  const sandboxed = options.sandbox === 'bwrap';
  const result = (
    outcome: Pick<CheckResult, 'exitCode' | 'timedOut' | 'output'> & Partial<Pick<CheckResult, 'diagnostics' | 'notRun'>>,
    green = false,
  ): CheckResult => ({
    command: argv.join(' '),
    durationMs: elapsed(),
    sandboxed,
    green: green && outcome.exitCode === 0 && !outcome.timedOut,
    diagnostics: null,
    notRun: null,
    ...outcome,
  });
  const notStarted = (why: string) => result({ exitCode: null, timedOut: false, output: `[scrum-apply] ${why}\n`, notRun: why });

  const [program, ...args] = argv;
  if (program === undefined) return notStarted('the check command is empty');
  const env = options.env ?? process.env;
  const pathValue = env.PATH || FALLBACK_PATH;
  let cwd: string;
  let targetDir: string;
  try {
    cwd = await realpath(options.cwd);
    await mkdir(options.targetDir, { recursive: true });
    targetDir = await realpath(options.targetDir);
  } catch (error) {
    return notStarted(`cannot prepare the check directories: ${error instanceof Error ? error.message : String(error)}`);
  }
  const executable = await findExecutable(program, pathValue, cwd);
  if (!executable) return notStarted(`could not start the check: "${program}" was not found (PATH=${pathValue})`);
  const bwrap = sandboxed ? await findBwrap(env) : null;
  if (sandboxed && !bwrap) return notStarted('the check must run in bwrap, but bwrap (bubblewrap) was not found');

  const homes = await toolchainHomes(env);
  const cargo = basename(executable) === 'cargo' ? executable : await findExecutable('cargo', pathValue, cwd);
  const fetched: FetchOutcome =
    options.fetch === false
      ? { type: 'skipped' }
      : await prefetchDependencies({ cwd, env, homes, cargo, toolchain: options.directCargo?.proxy === cargo ? options.directCargo : null, timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
  const fetchNote = fetched.type === 'failed' ? fetched.note : '';
  if (fetched.type === 'failed' && (fetched.timedOut || fetched.aborted)) {
    return result({ exitCode: null, timedOut: fetched.timedOut, output: fetchNote });
  }

  const offline = options.offline ?? fetched.type !== 'skipped';
  const direct = options.directCargo?.proxy === executable ? options.directCargo : null;
  const plainArgv = [direct?.cargo ?? executable, ...args];
  const jsonArgv = withJsonMessages(plainArgv, basename(executable) === 'cargo');
  const invocation = { targetDir, env, offline, argv: jsonArgv ?? plainArgv, limits: options.limits, direct };
  const spawnSpec = bwrap
    ? { ...(await inSandbox(bwrap, { ...invocation, cwd, homes })), cwd: '/' }
    : { ...(await unsandboxed(invocation)), cwd };
  // A failed fetch's note (≤ 16 KiB) shares the cap.
  const output = createOutputBuffer(Math.max(1024, (options.outputCapBytes ?? DEFAULT_OUTPUT_CAP_BYTES) - Buffer.byteLength(fetchNote)));
  const parsed = jsonArgv === null ? null : createDiagnosticsSink(output);
  const outcome = await runProcess({
    ...spawnSpec,
    ...(parsed === null ? {} : { stdout: parsed.sink }),
    timeoutMs: Math.max(0, options.timeoutMs - elapsed()),
    output,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const diagnostics = parsed === null ? null : parsed.diagnostics();
  // Cargo failed before the compiler said anything (its configuration, a missing source): its own error is the reason.
  const cargoFailed = diagnostics !== null && diagnostics.errorCount === 0 && outcome.exitCode !== 0 && !outcome.timedOut && !outcome.aborted ? cargoError(output.text(), bwrap ? SANDBOX_TREE : cwd) : null;
  if (diagnostics !== null && cargoFailed !== null) {
    diagnostics.errors.push(cargoFailed);
    diagnostics.errorCount += 1;
  }
  return result(
    {
      exitCode: outcome.spawnError === null ? outcome.exitCode : null,
      timedOut: outcome.timedOut,
      output: fetchNote + output.text() + trailer(outcome, options.timeoutMs),
      diagnostics,
      notRun: outcome.spawnError !== null ? `could not start the check: ${outcome.spawnError}` : outcome.exitCode === 0 ? null : missingToolchain(output.text(), sandboxed),
    },
    !outcome.aborted && outcome.spawnError === null,
  );
}

interface Invocation {
  targetDir: string;
  env: NodeJS.ProcessEnv;
  offline: boolean;
  argv: string[];
  limits: ResourceLimits | undefined;
  /** argv[0] is this toolchain's cargo, run without its rustup proxy. */
  direct: DirectCargo | null;
}

/** What rustup's proxy would have added to the environment of the cargo it runs. */
function withToolchain(env: Record<string, string>, direct: DirectCargo | null): Record<string, string> {
  if (direct === null) return env;
  // The toolchain's bin first on PATH: cargo runs the `rustc` beside it, even when rustup's
  // proxies are not visible in the sandbox (CARGO_HOME elsewhere) or another rustc comes first.
  const bin = dirname(direct.cargo);
  return { ...env, PATH: `${bin}:${env.PATH ?? FALLBACK_PATH}`, RUSTUP_TOOLCHAIN: direct.toolchain, LD_LIBRARY_PATH: join(dirname(bin), 'lib') };
}

async function inSandbox(features: BwrapFeatures, options: Invocation & { cwd: string; homes: ToolchainHomes }) {
  const { cwd, targetDir, homes } = options;
  const [program = cwd, ...args] = options.argv;
  const pathValue = options.env.PATH || FALLBACK_PATH;
  return sandboxedCommand({
    features,
    layout: { cwd, targetDir, homes, extraReadOnly: await toolchainPaths({ program, pathValue }) },
    env: withToolchain(
      checkEnvironment(options.env, {
        targetDir: SANDBOX_TARGET,
        offline: options.offline,
        overrides: { HOME: SANDBOX_HOME, CARGO_HOME: homes.cargoHome, RUSTUP_HOME: homes.rustupHome },
      }),
      options.direct,
    ),
    // A check command inside the repository (`./ci/check.sh`) runs from the sandbox's tree.
    argv: [sandboxPath(program, cwd), ...args],
    ...(options.limits ? { limits: options.limits } : {}),
  });
}

/** No sandbox: the allow-listed environment and per-process limits, nothing more. */
async function unsandboxed(options: Invocation): Promise<{ file: string; args: string[]; env: Record<string, string> }> {
  const env = withToolchain(checkEnvironment(options.env, { targetDir: options.targetDir, offline: options.offline }), options.direct);
  const prlimit = await findExecutable('prlimit', env.PATH ?? FALLBACK_PATH, '/');
  const full = prlimit ? [...prlimitPrefix(prlimit, options.limits ?? DEFAULT_LIMITS, false), ...options.argv] : options.argv;
  const [file = '', ...args] = full;
  return { file, args, env };
}

/** A red check whose toolchain could not even run (in the sandbox: something it needs is not mounted). */
function missingToolchain(output: string, sandboxed: boolean): string | null {
  const missing = toolchainMissing(output);
  if (missing === null) return null;
  return sandboxed ? `the toolchain cannot run in the sandbox (${missing})` : `the toolchain cannot run (${missing})`;
}

function trailer(outcome: ProcessOutcome, timeoutMs: number): string {
  const kill = outcome.killError === null ? '' : `\n[scrum-apply] could not kill the check's process group: ${outcome.killError}\n`;
  return kill + ending(outcome, timeoutMs);
}

function ending(outcome: ProcessOutcome, timeoutMs: number): string {
  if (outcome.timedOut) return `\n[scrum-apply] the check timed out after ${Math.round(timeoutMs / 1000)} s; its process tree was killed.\n`;
  if (outcome.aborted) return '\n[scrum-apply] the check was cancelled; its process tree was killed.\n';
  if (outcome.spawnError !== null) return `\n[scrum-apply] could not start the check: ${outcome.spawnError}\n`;
  if (outcome.signal !== null) return `\n[scrum-apply] the check was killed by ${outcome.signal}.\n`;
  return '';
}
