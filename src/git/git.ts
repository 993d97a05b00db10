import { execFile } from 'node:child_process';
import { simpleGit, type SimpleGit } from 'simple-git';

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
 * it there.
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

export interface GitOptions {
  /** Only for commands that talk to a remote. */
  auth?: GitAuth | null;
  /** Extra variables (e.g. GIT_INDEX_FILE, GIT_AUTHOR_*). Never secrets. */
  env?: Record<string, string>;
  /** Kill git when it prints nothing for this long. */
  idleTimeoutMs?: number;
}

/**
 * A simple-git instance for `cwd`, hardened and with an allow-listed environment.
 *
 * simple-git waits 50 ms after a command that wrote nothing to stdout or stderr (its
 * completion detection, which cannot be turned off), so commands on a run's critical path
 * are asked to say something (no `-q` on `init`, `--verbose` on `fetch`), or go through
 * runGitCommand when they cannot (a slot's `reset` and `clean`).
 */
export function createGit(cwd: string, options: GitOptions = {}): SimpleGit {
  return simpleGit({
    baseDir: cwd,
    binary: 'git',
    maxConcurrentProcesses: 6,
    trimmed: false,
    config: [...HARDENING_CONFIG],
    // simple-git refuses the very settings our hardening sets (hooksPath, fsmonitor, …) and
    // the allow-listed environment (GIT_CONFIG_GLOBAL, GIT_CONFIG_COUNT); allow exactly those.
    unsafe: {
      allowUnsafeHooksPath: true,
      allowUnsafeFsMonitor: true,
      allowUnsafeCredentialHelper: true,
      allowUnsafeAskPass: true,
      allowUnsafeProtocolOverride: true,
      allowUnsafeConfigPaths: true,
      allowUnsafeConfigEnvCount: true,
    },
    timeout: { block: options.idleTimeoutMs ?? 10 * 60_000 },
  }).env({ ...gitEnvironment(options.auth), ...options.env });
}

/**
 * One git command, hardened like createGit's, for a command that may well print nothing
 * (`clean` with nothing to clean), which simple-git would follow with 50 ms of waiting.
 * Rejects with git's last line of stderr.
 */
export function runGitCommand(cwd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const config = HARDENING_CONFIG.flatMap((entry) => ['-c', entry]);
  return new Promise((resolve, reject) => {
    execFile('git', [...config, ...args], { cwd, env: { ...gitEnvironment(), ...env }, maxBuffer: 16 * 1024 ** 2, timeout: 10 * 60_000 }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(new Error(`git ${args[0] ?? ''} failed: ${stderr.trim().split('\n').pop() || error.message}`));
    });
  });
}
