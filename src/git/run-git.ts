import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/**
 * Credentials for git over HTTPS, handed to git through its environment
 * (`GIT_CONFIG_COUNT`/`KEY`/`VALUE` → `http.extraHeader`), never through argv, a remote
 * URL or a config file.
 */
export interface GitAuth {
  username: string;
  token: string;
}

/** Config every git command we run carries: no hooks, no submodules, no fsmonitor, no ext:: transport. */
export const HARDENING_CONFIG: readonly string[] = [
  'core.hooksPath=/dev/null',
  'core.fsmonitor=false',
  'submodule.recurse=false',
  'fetch.recurseSubmodules=false',
  'protocol.ext.allow=never',
  'credential.helper=',
  'core.askPass=',
  'gc.auto=0',
  'maintenance.auto=false',
  'advice.detachedHead=false',
  'init.defaultBranch=main',
];

/**
 * The whole environment of a git process: an allow-list, not the bot's environment, so a
 * token in the bot's environment never reaches git (or a hook, or a filter) unless we put
 * it there — and this is the one place that does.
 */
export function gitEnvironment(auth?: GitAuth | null): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? '/nonexistent',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_LFS_SKIP_SMUDGE: '1',
    GIT_OPTIONAL_LOCKS: '0',
    GIT_NO_REPLACE_OBJECTS: '1',
  };
  if (auth) {
    const basic = Buffer.from(`${auth.username}:${auth.token}`, 'utf8').toString('base64');
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
    env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${basic}`;
  }
  return env;
}

export interface GitProcessOptions {
  cwd: string;
  /** Extra variables (GIT_DIR, GIT_WORK_TREE, …). Never secrets: they cannot replace the allow-list or the auth. */
  env?: Record<string, string>;
  /** Only for commands that talk to a remote. */
  auth?: GitAuth | null;
}

export interface RunGitOptions extends GitProcessOptions {
  /** Written to git's stdin (then closed); without it stdin is empty. */
  input?: string | Buffer;
  /** Stop git when it prints nothing for this long (default 10 minutes). */
  idleTimeoutMs?: number;
  /** Stop git when it has run this long, printing or not (default: no limit beyond the idle one). */
  timeoutMs?: number;
  /** Stop git when its stdout grows past this many bytes (default 64 MiB). */
  maxBuffer?: number;
}

const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_MAX_BUFFER = 64 * 1024 ** 2;
/** Enough of stderr for any message git prints; a chatty command keeps its last part. */
const MAX_STDERR = 64 * 1024;

/**
 * A git command that did not end with exit code 0 (or could not start, or was stopped). The
 * stderr is git's own text, unredacted: show it through gitErrorText.
 */
export class GitError extends Error {
  override readonly name = 'GitError';
  /** The subcommand (`fetch`, `push`, …). */
  readonly command: string;
  /** null when git did not exit by itself (it could not start, or was stopped). */
  readonly exitCode: number | null;
  readonly stderr: string;
  /** What git printed before it failed (`push --porcelain` reports refused refs here). */
  readonly stdout: string;

  constructor(input: { command: string; exitCode: number | null; stderr: string; stdout: string; reason: string; cause?: unknown }) {
    super(`git ${input.command} ${input.reason}`, input.cause === undefined ? undefined : { cause: input.cause });
    this.command = input.command;
    this.exitCode = input.exitCode;
    this.stderr = input.stderr;
    this.stdout = input.stdout;
  }
}

/** True when `error` is git saying no with exactly this exit code (e.g. 1 from `rev-parse -q --verify`). */
export function exitedWith(error: unknown, code: number): boolean {
  return error instanceof GitError && error.exitCode === code;
}

/** The subcommand in `args`: the first word that is neither an option nor a `-c` setting. */
function commandOf(args: readonly string[]): string {
  return args.find((arg, i) => !arg.startsWith('-') && args[i - 1] !== '-c') ?? 'git';
}

function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

/**
 * A long-lived git process (e.g. `cat-file --batch-command`) with the hardening settings and
 * the allow-listed environment, all three pipes open. The caller owns it.
 */
export function spawnGit(args: readonly string[], options: GitProcessOptions): ChildProcessWithoutNullStreams {
  return spawn('git', [...HARDENING_CONFIG.flatMap((setting) => ['-c', setting]), ...args], {
    cwd: options.cwd,
    env: { ...options.env, ...gitEnvironment(options.auth) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/**
 * Run one git command to its end; resolves with its stdout when it exits with 0, rejects with
 * a GitError otherwise. Exit codes that answer a question (1 from `rev-parse -q --verify`)
 * are the caller's to accept, narrowly (see exitedWith).
 */
export function runGit(args: readonly string[], options: RunGitOptions): Promise<string> {
  const command = commandOf(args);
  const maxBuffer = options.maxBuffer ?? DEFAULT_MAX_BUFFER;
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawnGit(args, options);
    } catch (error) {
      // Invalid arguments (a NUL byte in a path) throw before any process exists.
      reject(new GitError({ command, exitCode: null, stderr: '', stdout: '', reason: `could not run: ${String(error)}`, cause: error }));
      return;
    }
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let stopped: string | null = null;
    let failedToStart: Error | null = null;
    let settled = false;

    const stop = (why: string) => {
      stopped ??= why;
      // SIGTERM, not SIGKILL: git removes its lock files on the way out.
      child.kill('SIGTERM');
    };
    const idle = setTimeout(() => stop(`printed nothing for ${duration(idleMs)}`), idleMs);
    const touch = () => idle.refresh();
    const { timeoutMs } = options;
    const overall = timeoutMs === undefined ? undefined : setTimeout(() => stop(`ran longer than ${duration(timeoutMs)}`), timeoutMs);

    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      clearTimeout(overall);
      const out = Buffer.concat(stdout).toString('utf8');
      if (code === 0 && stopped === null && failedToStart === null) {
        resolve(out);
        return;
      }
      const reason =
        stopped !== null
          ? `was stopped: it ${stopped}`
          : failedToStart !== null
            ? `could not run: ${failedToStart.message}`
            : `failed (${code === null ? `signal ${signal ?? '?'}` : `exit ${code}`})${lastLine(stderr)}`;
      const exitCode = stopped === null && failedToStart === null ? code : null;
      reject(new GitError({ command, exitCode, stderr, stdout: out, reason, cause: failedToStart ?? undefined }));
    };

    child.stdout.on('data', (chunk: Buffer) => {
      touch();
      stdoutBytes += chunk.length;
      if (stdoutBytes > maxBuffer) stop(`printed more than ${maxBuffer} bytes`);
      else stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      touch();
      stderr = (stderr + chunk.toString('utf8')).slice(-MAX_STDERR);
    });
    // git may exit before reading all of its input (EPIPE): its exit status says what happened.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input);
    child.on('error', (error) => {
      // Spawning failed (no git on PATH): 'close' follows, and finish reports it.
      failedToStart ??= error;
    });
    child.on('exit', (code, signal) => {
      // A stopped git may leave a child of its own holding the pipes (a remote helper, an
      // alias's shell): do not wait for them to close.
      if (stopped === null) return;
      child.stdout.destroy();
      child.stderr.destroy();
      finish(code, signal);
    });
    child.on('close', finish);
  });
}

/** `: <git's last word>` for the error message, or nothing when git was silent. */
function lastLine(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !/^hint:/i.test(line));
  const last = lines.at(-1);
  return last === undefined ? '' : `: ${last}`;
}
