import { stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { exitedWith, runGit } from './run-git.js';

/**
 * The user's repository, read-only: every command here only reads (and GIT_OPTIONAL_LOCKS=0
 * keeps even those from refreshing the index), so the checkout is left exactly as it was.
 */
export interface UserRepo {
  topLevel: string;
  /** Absolute path of the git directory (of the main repository when this is a linked worktree). */
  commonDir: string;
  /** Absolute path of the object store (of the main repository when this is a linked worktree). */
  objectsDir: string;
  /** Absolute path of the `shallow` file, for a shallow clone; null otherwise. */
  shallowFile: string | null;
  objectFormat: string;
  /** `refs/...` → sha for every ref under `prefix`. */
  refsUnder(prefix: string): Promise<Map<string, string>>;
  /** The commit `ref` names, or null when there is none. */
  commitOf(ref: string): Promise<string | null>;
  /** The branch `refs/remotes/<remote>/HEAD` points at, or null. */
  remoteHeadBranch(remote: string): Promise<string | null>;
  /** The checked-out branch, or null on a detached HEAD. */
  currentBranch(): Promise<string | null>;
  /** Fetch and push URLs of `remote`; null when the remote is not configured. */
  remoteUrls(remote: string): Promise<{ fetch: string; push: string } | null>;
}

export async function openUserRepo(repoDir: string): Promise<UserRepo> {
  const dir = resolve(repoDir);
  const exists = await stat(dir).then(
    (s) => s.isDirectory(),
    (error: unknown) => {
      if (isMissing(error)) return false;
      throw error;
    },
  );
  if (!exists) throw new Error(`not a git repository: ${dir} (no such directory)`);
  const git = (args: string[]) => runGit(args, { cwd: dir });
  // One rev-parse for all of it; only when it fails, another to say why.
  let lines: string[];
  try {
    lines = (await git(['rev-parse', '--is-inside-work-tree', '--show-toplevel', '--git-common-dir', '--show-object-format'])).split('\n').map((line) => line.trim());
  } catch (error) {
    // Exit 128 is git's "not a repository" (or one it refuses, e.g. of another owner): say which, with git's words as the cause.
    if (!exitedWith(error, 128)) throw error;
    const inside = await git(['rev-parse', '--is-inside-work-tree']).then(
      (out) => out.trim(),
      (again: unknown) => {
        if (exitedWith(again, 128)) return null;
        throw again;
      },
    );
    if (inside === 'false') throw new Error(`not a git repository: ${dir} (not a work tree)`, { cause: error });
    throw new Error(`not a git repository: ${dir}`, { cause: error });
  }
  if (lines[0] !== 'true') throw new Error(`not a git repository: ${dir} (not a work tree)`);
  const [, topLevel, commonDir, objectFormat] = lines;
  if (!topLevel || !commonDir || !objectFormat) throw new Error(`not a git repository: ${dir} (rev-parse said too little)`);
  const absoluteCommon = isAbsolute(commonDir) ? commonDir : resolve(dir, commonDir);
  const shallowFile = join(absoluteCommon, 'shallow');
  const isShallow = await stat(shallowFile).then(
    (s) => s.isFile(),
    (error: unknown) => {
      if (isMissing(error)) return false;
      throw error;
    },
  );
  const top = (args: string[]) => runGit(args, { cwd: topLevel });
  /** The trimmed output, or null when git answers "none" with exit code `none` (quietly). */
  const answer = (args: string[], none: number) =>
    top(args).then(
      (out) => out.trim() || null,
      (error: unknown) => {
        if (exitedWith(error, none)) return null;
        throw error;
      },
    );

  return {
    topLevel,
    commonDir: absoluteCommon,
    objectsDir: join(absoluteCommon, 'objects'),
    shallowFile: isShallow ? shallowFile : null,
    objectFormat,
    async refsUnder(prefix) {
      const out = await top(['for-each-ref', '--format=%(refname)%00%(objectname)', prefix]);
      const refs = new Map<string, string>();
      for (const line of out.split('\n')) {
        const [name, sha] = line.split('\0');
        if (name && sha) refs.set(name, sha);
      }
      return refs;
    },
    // `rev-parse -q --verify` and `symbolic-ref -q` exit 1, silently, when there is no such ref.
    commitOf: (ref) => answer(['rev-parse', '-q', '--verify', '--end-of-options', `${ref}^{commit}`], 1),
    async remoteHeadBranch(remote) {
      const target = await answer(['symbolic-ref', '-q', `refs/remotes/${remote}/HEAD`], 1);
      const prefix = `refs/remotes/${remote}/`;
      return target?.startsWith(prefix) ? target.slice(prefix.length) : null;
    },
    async currentBranch() {
      const target = await answer(['symbolic-ref', '-q', 'HEAD'], 1);
      return target?.startsWith('refs/heads/') ? target.slice('refs/heads/'.length) : null;
    },
    async remoteUrls(remote) {
      // `remote get-url` exits 2 when there is no such remote.
      const [fetchUrl, pushUrl] = await Promise.all([
        answer(['remote', 'get-url', '--', remote], 2),
        answer(['remote', 'get-url', '--push', '--', remote], 2),
      ]);
      if (fetchUrl === null) return null;
      return { fetch: absoluteUrl(fetchUrl, topLevel), push: absoluteUrl(pushUrl ?? fetchUrl, topLevel) };
    },
  };
}

function isMissing(error: unknown): boolean {
  return error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR');
}

/**
 * Git resolves a relative local remote (`../origin.git`) against the work tree; we run git
 * from the scratch repository, so make it absolute first. URLs and scp-style `host:path` stay.
 */
function absoluteUrl(url: string, topLevel: string): string {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url)) return url;
  if (/^[^/]+:/.test(url)) return url;
  return isAbsolute(url) ? url : resolve(topLevel, url);
}
