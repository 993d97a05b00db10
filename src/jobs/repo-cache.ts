import { randomBytes } from 'node:crypto';
import { mkdir, realpath, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../log/logger.js';
import type { Redactor } from '../log/redact.js';
import { gitErrorText } from '../git/git-errors.js';
import { exitedWith, runGit, type GitAuth } from '../git/run-git.js';
import { removeTree } from '../git/remove-tree.js';
import { directorySize } from './directory-size.js';
import { clonePath, remoteUrlFor, repoLabel, type RepoRef } from './repo-ref.js';

export const DEFAULT_MAX_REPO_BYTES = 2 * 1024 ** 3;

export interface RepoCacheOptions {
  dataDir: string;
  /** A clone bigger than this is deleted and the run refused. */
  maxBytes?: number;
  logger: Logger;
}

export interface SyncRequest {
  ref: RepoRef;
  /** `SCRUM_APPLY_GIT_BASE_URL` or the forge's own: `{base}/{owner}/{repo}.git` is cloned. */
  baseUrl: string;
  /** The default branch; the work tree is left detached at its tip. */
  branch: string;
  auth: GitAuth | null;
  redact: Redactor;
}

export interface SyncedRepo {
  dir: string;
  sha: string;
}

export interface RepoCache {
  /**
   * Clone the repository the first time, fetch it later; either way the work tree ends up
   * clean and detached at `origin/<branch>`. Callers must not sync one repository twice at
   * once (the job queue runs one job per repository).
   */
  sync(request: SyncRequest): Promise<SyncedRepo>;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${Math.ceil(bytes / 1024 ** 2)} MiB`;
}

/** A git failure as a one-line, redacted error saying what we were doing. */
async function step<T>(what: string, redact: Redactor, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new Error(`${what} failed: ${gitErrorText(error, redact)}`, { cause: error });
  }
}

/**
 * The server's clones under `<dataDir>/repos/<forge>/<owner>/<repo>`. The token reaches git
 * only through its environment (runGit's `auth`): the remote URL in `.git/config` and
 * every argv stay free of it.
 */
export function createRepoCache(options: RepoCacheOptions): RepoCache {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_REPO_BYTES;

  async function isRepository(dir: string): Promise<boolean> {
    const exists = await stat(dir).then(
      (s) => s.isDirectory(),
      (error: unknown) => {
        if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return false;
        throw error;
      },
    );
    if (!exists) return false;
    const gitDir = await runGit(['rev-parse', '--absolute-git-dir'], { cwd: dir }).then(
      (out) => out.trim(),
      (error: unknown) => {
        // Exit 128: no repository git will use here (none, or a broken one); cloned afresh.
        if (exitedWith(error, 128)) return '';
        throw error;
      },
    );
    // Not a clone of ours when git finds an enclosing repository instead.
    return gitDir === `${await realpath(dir)}/.git`;
  }

  async function cloneInto(dir: string, url: string, request: SyncRequest): Promise<void> {
    await mkdir(dirname(dir), { recursive: true });
    // Cloned beside the final place and renamed: a clone cut short never looks like a cache.
    const partial = `${dir}.partial-${randomBytes(4).toString('hex')}`;
    try {
      await step(`cloning ${repoLabel(request.ref)}`, request.redact, () =>
        runGit(['clone', '--quiet', '--no-tags', '--no-recurse-submodules', '--no-checkout', '--origin', 'origin', '--', url, partial], {
          cwd: dirname(dir),
          auth: request.auth,
        }),
      );
      await rename(partial, dir);
    } finally {
      await removeTree(partial);
    }
  }

  return {
    async sync(request) {
      const dir = clonePath(options.dataDir, request.ref);
      const url = remoteUrlFor(request.baseUrl, request.ref);
      const log = options.logger.child({ repository: repoLabel(request.ref) });
      if (!/^[A-Za-z0-9._/-]+$/u.test(request.branch) || request.branch.startsWith('-')) {
        throw new Error(`the default branch name ${JSON.stringify(request.branch.slice(0, 100))} is not one scrum-apply can use`);
      }

      if (await isRepository(dir)) {
        const git = (args: string[]) => runGit(args, { cwd: dir });
        const current = await git(['remote', 'get-url', 'origin']).then(
          (out) => out.trim(),
          (error: unknown) => {
            // Exit 2: there is no origin (yet); it is added below.
            if (exitedWith(error, 2)) return '';
            throw error;
          },
        );
        if (current !== url) {
          log.info('the clone URL changed; updating origin');
          await step('updating the remote URL', request.redact, () =>
            current === '' ? git(['remote', 'add', 'origin', url]) : git(['remote', 'set-url', 'origin', url]),
          );
        }
        log.info('fetching');
        await step(`fetching ${repoLabel(request.ref)}`, request.redact, () =>
          runGit(['fetch', '--quiet', '--prune', '--no-tags', '--no-recurse-submodules', 'origin'], { cwd: dir, auth: request.auth }),
        );
      } else {
        await removeTree(dir);
        log.info('cloning');
        await cloneInto(dir, url, request);
      }

      const git = (args: string[]) => runGit(args, { cwd: dir });
      const sha = await step(`finding origin/${request.branch}`, request.redact, async () =>
        (await git(['rev-parse', '--verify', '--end-of-options', `refs/remotes/origin/${request.branch}^{commit}`])).trim(),
      );
      await step('checking out the default branch', request.redact, () => git(['checkout', '--quiet', '--force', '--detach', sha]));
      await step('cleaning the work tree', request.redact, () => git(['clean', '-ffdxq']));

      const size = await directorySize(dir, maxBytes);
      if (size > maxBytes) {
        await removeTree(dir);
        throw new Error(
          `the repository is larger than the server's limit of ${formatBytes(maxBytes)} (SCRUM_APPLY_MAX_REPO_BYTES); its clone was removed`,
        );
      }
      log.info({ sha, bytes: size }, 'repository ready');
      return { dir, sha };
    },
  };
}
