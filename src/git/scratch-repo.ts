import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runGit, type RunGitOptions } from './run-git.js';

/**
 * A bare repository of our own, outside the user's checkout, that borrows the user's objects
 * through `objects/info/alternates`. Everything we make — blobs, trees, commits, fetched refs,
 * worktrees — lives here, so the user's repository (object store included) never changes.
 */
export interface ScratchRepo {
  gitDir: string;
  /** Run git with GIT_DIR pinned to the scratch repository (see runGit). */
  run(args: readonly string[], options?: Omit<RunGitOptions, 'cwd'>): Promise<string>;
  /** Record the control files as they are now (after the fetch, before any check runs). */
  seal(): Promise<void>;
  /**
   * Throws when the files that steer git (config, alternates, …) changed since `seal`. A
   * check run without a sandbox executes repository code as us; this keeps it from pointing
   * an authenticated fetch or push (e.g. `url.<x>.insteadOf`, `http.proxy`) somewhere else.
   */
  assertIntact(): Promise<void>;
}

/**
 * Files whose content (or existence) changes where git connects or what it runs. (`shallow`
 * is not among them: deepening changes it, and it only steers history walks.)
 */
const CONTROL_FILES = ['config', 'objects/info/alternates', 'objects/info/http-alternates', 'commondir', 'info/grafts', 'info/attributes'];

export async function createScratchRepo(options: {
  dir: string;
  objectsDir: string;
  objectFormat: string;
  shallowFile: string | null;
}): Promise<ScratchRepo> {
  const gitDir = join(options.dir, 'repo.git');
  await mkdir(options.dir, { recursive: true });
  await runGit(['init', '--quiet', '--bare', `--object-format=${options.objectFormat}`, gitDir], { cwd: options.dir });
  await writeFile(join(gitDir, 'objects', 'info', 'alternates'), `${options.objectsDir}\n`);
  // A shallow clone's history stops at these commits; without the list, git here would walk
  // into parents that were never fetched.
  if (options.shallowFile !== null) await copyFile(options.shallowFile, join(gitDir, 'shallow'));
  let sealed: string | null = null;

  return {
    gitDir,
    run: (args, runOptions = {}) => runGit(args, { ...runOptions, cwd: gitDir, env: { ...runOptions.env, GIT_DIR: gitDir } }),
    async seal() {
      sealed = await controlFingerprint(gitDir);
    },
    async assertIntact() {
      if (sealed !== null && (await controlFingerprint(gitDir)) !== sealed) {
        throw new Error(`the scratch repository ${gitDir} was modified (by the check?); refusing to talk to the remote from it`);
      }
    },
  };
}

async function controlFingerprint(gitDir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const name of CONTROL_FILES) {
    // A missing file is part of the fingerprint (`absent`); any other failure is not ours to hide.
    const content = await readFile(join(gitDir, name)).catch((error: unknown) => {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return null;
      throw error;
    });
    hash.update(`${name}\0${content === null ? 'absent' : createHash('sha256').update(content).digest('hex')}\0`);
  }
  return hash.digest('hex');
}
