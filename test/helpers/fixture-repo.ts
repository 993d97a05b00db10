import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createDemoRepo, personGit } from '../../tools/demo/create-demo-repo.js';

export { DEMO_WORKSPACE } from '../../tools/demo/create-demo-repo.js';

/** Run git in `cwd` as a person would (test side only). */
export const git = personGit;

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
  const { dir, origin } = createDemoRepo(root, options.extraFiles);
  const write = (path: string, content: string | Buffer) => {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  };
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
