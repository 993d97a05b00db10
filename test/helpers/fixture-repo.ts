import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const DEMO_WORKSPACE = resolve(import.meta.dirname, '../../examples/demo-workspace');

const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Maintainer',
  GIT_AUTHOR_EMAIL: 'maintainer@example.com',
  GIT_COMMITTER_NAME: 'Maintainer',
  GIT_COMMITTER_EMAIL: 'maintainer@example.com',
};

/** Run git in `cwd` as a person would (test side only). */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface FixtureRepo {
  /** Temporary root holding everything below. */
  root: string;
  /** The maintainer's clone (work tree). */
  dir: string;
  /** The bare `origin`. */
  origin: string;
  /** Write a file into the work tree (not committed). */
  write(path: string, content: string | Buffer): void;
  /** Commit everything in the work tree and push it to origin. */
  commitAll(message: string): string;
  cleanup(): void;
}

/**
 * A real git repository holding the demo Cargo workspace (plus `extraFiles`), committed on
 * `main` and pushed to a bare `origin` beside it.
 */
export function createFixtureRepo(options: { extraFiles?: Record<string, string | Buffer>; prefix?: string } = {}): FixtureRepo {
  const root = mkdtempSync(join(tmpdir(), options.prefix ?? 'scrum-apply-test-'));
  const dir = join(root, 'work');
  const origin = join(root, 'origin.git');
  cpSync(DEMO_WORKSPACE, dir, { recursive: true, filter: (src) => !src.includes('/target') });
  rmSync(join(dir, 'data'), { recursive: true, force: true });
  const write = (path: string, content: string | Buffer) => {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  };
  for (const [path, content] of Object.entries(options.extraFiles ?? {})) write(path, content);
  git(root, 'init', '-q', '--bare', '-b', 'main', origin);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'core.autocrlf', 'false');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial');
  git(dir, 'remote', 'add', 'origin', origin);
  git(dir, 'push', '-q', '-u', 'origin', 'main');
  git(dir, 'remote', 'set-head', 'origin', 'main');
  return {
    root,
    dir,
    origin,
    write,
    commitAll(message: string) {
      git(dir, 'add', '-A');
      git(dir, 'commit', '-q', '-m', message);
      git(dir, 'push', '-q', 'origin', 'HEAD');
      return git(dir, 'rev-parse', 'HEAD').trim();
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Everything about a checkout a run must leave as it was. */
export function snapshotCheckout(dir: string): Record<string, string> {
  return {
    head: git(dir, 'rev-parse', 'HEAD'),
    branch: git(dir, 'symbolic-ref', '-q', 'HEAD'),
    index: git(dir, 'ls-files', '-s'),
    status: git(dir, 'status', '--porcelain=v1', '--untracked-files=all', '--ignored'),
    stash: git(dir, 'stash', 'list'),
    refs: git(dir, 'for-each-ref', '--format=%(refname) %(objectname)'),
    worktrees: git(dir, 'worktree', 'list', '--porcelain'),
    config: readFileSync(join(dir, '.git', 'config'), 'utf8'),
  };
}

/** Every ref of a bare remote with its target. */
export function snapshotRemote(origin: string): string {
  return git(origin, 'for-each-ref', '--format=%(refname) %(objectname)');
}
