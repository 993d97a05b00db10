import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { repoRoot } from '../repo-root.js';

/** The bundled Cargo workspace (examples/demo-workspace), from the sources or .build/. */
export const DEMO_WORKSPACE = resolve(repoRoot(), 'examples/demo-workspace');

const PERSON = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Maintainer',
  GIT_AUTHOR_EMAIL: 'maintainer@example.com',
  GIT_COMMITTER_NAME: 'Maintainer',
  GIT_COMMITTER_EMAIL: 'maintainer@example.com',
};

/** Run git as the repository's maintainer would (demo and test set-up only, never the bot). */
export function personGit(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...PERSON },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface DemoRepo {
  /** The maintainer's clone. */
  dir: string;
  /** Its bare `origin`. */
  origin: string;
}

/**
 * A real repository holding the demo workspace (plus `extraFiles`), committed on `main`
 * and pushed to a bare `origin`, both under `root`.
 */
export function createDemoRepo(root: string, extraFiles: Record<string, string | Buffer> = {}): DemoRepo {
  const dir = join(root, 'work');
  const origin = join(root, 'origin.git');
  cpSync(DEMO_WORKSPACE, dir, { recursive: true, filter: (src) => !/[/\\](target|data)([/\\]|$)/.test(src.slice(DEMO_WORKSPACE.length)) });
  for (const [path, content] of Object.entries(extraFiles)) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  personGit(dir, 'init', '-q', '-b', 'main');
  commitToNewOrigin({ root, dir, origin, message: 'initial' });
  return { dir, origin };
}

/**
 * Commit everything in the work tree `dir` (a repository on `main`) as a person would, and
 * push it to a new bare `origin` under `root` whose HEAD the clone knows.
 */
export function commitToNewOrigin(repo: { root: string; dir: string; origin: string; message: string }): void {
  const { root, dir, origin } = repo;
  personGit(root, 'init', '-q', '--bare', '-b', 'main', origin);
  personGit(dir, 'config', 'core.autocrlf', 'false');
  personGit(dir, 'add', '-A');
  personGit(dir, 'commit', '-q', '-m', repo.message);
  personGit(dir, 'remote', 'add', 'origin', origin);
  personGit(dir, 'push', '-q', '-u', 'origin', 'main');
  personGit(dir, 'remote', 'set-head', 'origin', 'main');
}
