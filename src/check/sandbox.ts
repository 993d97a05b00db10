import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { FALLBACK_PATH, findExecutable } from './check-command.js';
import { checkEnvironment, toolchainHomes } from './check-environment.js';
import { DEFAULT_LIMITS, prlimitPrefix, type ResourceLimits } from './check-limits.js';
import { createOutputBuffer } from './check-output.js';
import { runProcess } from './check-process.js';
import { isWithin, SANDBOX_HOME, SANDBOX_TARGET, SANDBOX_TREE, sandboxMounts, type Mount, type SandboxLayout } from './sandbox-mounts.js';

export type SandboxMode = 'auto' | 'bwrap' | 'none';
export interface SandboxChoice {
  kind: 'bwrap' | 'none';
  /** Set whenever the check will run unsandboxed: log it loudly. */
  warning?: string;
}

/** The installed bwrap and the options it understands (Debian 12 ships 0.8 with a backported --size). */
export interface BwrapFeatures {
  path: string;
  /** `--size` for tmpfs mounts. Without it a tmpfs may grow to half the RAM. */
  size: boolean;
  /** `--disable-userns`: no nested user namespaces (kernel attack surface). */
  disableUserns: boolean;
}

const PROBE_TIMEOUT_MS = 20_000;

/** What each bwrap binary understands, asked once per process (`--help` is a process per check otherwise). */
const bwrapFeatures = new Map<string, Promise<BwrapFeatures>>();

/** The bwrap on the bot's PATH and the options it understands; null when there is none. */
export async function findBwrap(env: NodeJS.ProcessEnv = process.env): Promise<BwrapFeatures | null> {
  const path = await findExecutable('bwrap', env.PATH || FALLBACK_PATH, '/');
  if (!path) return null;
  let features = bwrapFeatures.get(path);
  if (features === undefined) {
    features = new Promise<string>((resolve) => {
      execFile(path, ['--help'], { env: {}, timeout: 5_000 }, (_error, stdout, stderr) => resolve(`${stdout}${stderr}`));
    }).then((help) => ({ path, size: help.includes('--size'), disableUserns: help.includes('--disable-userns') }));
    bwrapFeatures.set(path, features);
  }
  return features;
}

/**
 * bwrap's options (without the command): every namespace unshared (so no network: a new
 * net namespace has only a loopback nobody listens on), no capabilities, no nested user
 * namespaces, a new session (no TIOCSTI into a terminal), killed with its parent, an
 * environment of exactly `env`, and the file system of `mounts`.
 */
export function bwrapArgs(options: { mounts: Mount[]; env: Record<string, string>; cwd: string; features: BwrapFeatures }): string[] {
  const args = ['--unshare-all', '--unshare-user'];
  if (options.features.disableUserns) args.push('--disable-userns');
  args.push('--die-with-parent', '--new-session', '--cap-drop', 'ALL', '--clearenv');
  for (const [name, value] of Object.entries(options.env)) args.push('--setenv', name, value);
  for (const mount of options.mounts) {
    switch (mount.type) {
      case 'ro-bind':
      case 'ro-bind-try':
      case 'bind':
        args.push(`--${mount.type}`, mount.source, mount.dest);
        break;
      case 'symlink':
        args.push('--symlink', mount.target, mount.dest);
        break;
      case 'tmpfs':
        if (options.features.size) args.push('--size', String(mount.sizeBytes));
        args.push('--tmpfs', mount.dest);
        break;
      default:
        args.push(`--${mount.type}`, mount.dest);
    }
  }
  args.push('--chdir', options.cwd);
  return args;
}

export interface SandboxedCommand {
  file: string;
  args: string[];
  /** bwrap itself gets an empty environment: it is readable inside at /proc/1/environ. */
  env: Record<string, string>;
}

/**
 * The full bwrap invocation running `argv` (under `prlimit` when available) in the sandbox, in
 * SANDBOX_TREE. `argv` and `env` are as seen inside (see sandboxPath).
 */
export async function sandboxedCommand(options: {
  features: BwrapFeatures;
  layout: SandboxLayout;
  env: Record<string, string>;
  argv: string[];
  limits?: ResourceLimits;
}): Promise<SandboxedCommand> {
  const { layout, env } = options;
  const prlimit = await findExecutable('prlimit', env.PATH ?? FALLBACK_PATH, '/');
  const extraReadOnly = prlimit ? [...layout.extraReadOnly, dirname(prlimit)] : layout.extraReadOnly;
  const mounts = await sandboxMounts({ ...layout, extraReadOnly });
  const limited = prlimit ? [...prlimitPrefix(prlimit, options.limits ?? DEFAULT_LIMITS, true), ...options.argv] : options.argv;
  return { file: options.features.path, args: [...bwrapArgs({ mounts, env, cwd: SANDBOX_TREE, features: options.features }), '--', ...limited], env: {} };
}

/** A host path as the sandbox shows it: the worktree's files are under SANDBOX_TREE. */
export function sandboxPath(path: string, cwd: string): string {
  return isWithin(path, cwd) ? join(SANDBOX_TREE, relative(cwd, path)) : path;
}

/**
 * Which sandbox the check will use. `auto`: bwrap when it is installed and a real probe
 * sandbox works, else none with a loud warning. `bwrap`: bwrap or an Error saying why not.
 */
export async function detectSandbox(mode: SandboxMode, options: { env?: NodeJS.ProcessEnv } = {}): Promise<SandboxChoice> {
  if (mode === 'none') {
    return {
      kind: 'none',
      warning:
        'check.sandbox is "none": the check runs repository code (build scripts, proc macros) without a sandbox, ' +
        'with network access, write access to the worktree and read access to this user\'s files.',
    };
  }
  const env = options.env ?? process.env;
  const problem = await bwrapProblem(env);
  if (problem === null) return { kind: 'bwrap' };
  if (mode === 'bwrap') {
    throw new Error(
      `check.sandbox is "bwrap" but ${problem}. Install bubblewrap (e.g. apt-get install bubblewrap) on a ` +
        'system that allows user namespaces, or set check.sandbox to "auto" or "none".',
    );
  }
  return {
    kind: 'none',
    warning:
      `NO SANDBOX: ${problem}. The check will run repository code (build scripts, proc macros) WITHOUT a sandbox: ` +
      "with network access, write access to the worktree and read access to this user's files. " +
      'Install bubblewrap, or set check.sandbox to "bwrap" to refuse to run without it.',
  };
}

/** Null when a real sandbox (same mounts, limits and environment as a check) runs; else why not. */
async function bwrapProblem(env: NodeJS.ProcessEnv): Promise<string | null> {
  const features = await findBwrap(env);
  if (!features) return 'bwrap (bubblewrap) is not installed (not found on PATH)';
  const root = await realpath(await mkdtemp(join(tmpdir(), 'scrum-apply-probe-')));
  try {
    const cwd = join(root, 'src');
    const targetDir = join(root, 'target');
    await mkdir(cwd);
    await mkdir(targetDir);
    const homes = await toolchainHomes(env);
    const checkEnv = checkEnvironment(env, {
      targetDir: SANDBOX_TARGET,
      offline: true,
      overrides: { HOME: SANDBOX_HOME, CARGO_HOME: homes.cargoHome, RUSTUP_HOME: homes.rustupHome },
    });
    const sh = (await findExecutable('sh', checkEnv.PATH ?? FALLBACK_PATH, '/')) ?? '/bin/sh';
    // Our own fixed script: the target dir is writable, the worktree is not.
    const script = 'touch "$CARGO_TARGET_DIR/probe" && ! touch ./probe 2>/dev/null';
    const command = await sandboxedCommand({
      features,
      layout: { cwd, targetDir, homes, extraReadOnly: [dirname(sh)] },
      env: checkEnv,
      argv: [sh, '-c', script],
    });
    const output = createOutputBuffer(4096);
    const outcome = await runProcess({ ...command, cwd: '/', timeoutMs: PROBE_TIMEOUT_MS, output });
    if (outcome.exitCode === 0) return null;
    const why = outcome.spawnError ?? (output.text().trim().split('\n')[0] || `exit ${outcome.exitCode ?? outcome.signal}`);
    return `bwrap at ${features.path} does not work here (${why})`;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
