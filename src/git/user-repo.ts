import { stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { createGit } from './git.js';

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
  const exists = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!exists) throw new Error(`not a git repository: ${dir} (no such directory)`);
  const git = createGit(dir);
  // One rev-parse for all of it; only when it fails, another to say why.
  const lines = await git.raw(['rev-parse', '--is-inside-work-tree', '--show-toplevel', '--git-common-dir', '--show-object-format']).then(
    (out) => out.split('\n').map((line) => line.trim()),
    () => null,
  );
  if (lines === null || lines[0] !== 'true') {
    const inside = await git.raw(['rev-parse', '--is-inside-work-tree']).then(
      (out) => out.trim(),
      () => null,
    );
    if (inside === 'false') throw new Error(`not a git repository: ${dir} (not a work tree)`);
    throw new Error(`not a git repository: ${dir}`);
  }
  const [, topLevel, commonDir, objectFormat] = lines;
  if (!topLevel || !commonDir || !objectFormat) throw new Error(`not a git repository: ${dir} (rev-parse said too little)`);
  const absoluteCommon = isAbsolute(commonDir) ? commonDir : resolve(dir, commonDir);
  const shallowFile = join(absoluteCommon, 'shallow');
  const isShallow = await stat(shallowFile).then((s) => s.isFile(), () => false);
  const top = createGit(topLevel);

  return {
    topLevel,
    commonDir: absoluteCommon,
    objectsDir: join(absoluteCommon, 'objects'),
    shallowFile: isShallow ? shallowFile : null,
    objectFormat,
    async refsUnder(prefix) {
      const out = await top.raw(['for-each-ref', '--format=%(refname)%00%(objectname)', prefix]);
      const refs = new Map<string, string>();
      for (const line of out.split('\n')) {
        const [name, sha] = line.split('\0');
        if (name && sha) refs.set(name, sha);
      }
      return refs;
    },
    async commitOf(ref) {
      const out = await top.raw(['rev-parse', '-q', '--verify', '--end-of-options', `${ref}^{commit}`]).catch(() => '');
      return out.trim() || null;
    },
    async remoteHeadBranch(remote) {
      const out = await top.raw(['symbolic-ref', '-q', `refs/remotes/${remote}/HEAD`]).catch(() => '');
      const target = out.trim();
      const prefix = `refs/remotes/${remote}/`;
      return target.startsWith(prefix) ? target.slice(prefix.length) : null;
    },
    async currentBranch() {
      const out = await top.raw(['symbolic-ref', '-q', 'HEAD']).catch(() => '');
      const target = out.trim();
      return target.startsWith('refs/heads/') ? target.slice('refs/heads/'.length) : null;
    },
    async remoteUrls(remote) {
      const [fetchUrl, pushUrl] = await Promise.all(
        [['remote', 'get-url', '--', remote], ['remote', 'get-url', '--push', '--', remote]].map((args) => top.raw(args).then((o) => o.trim(), () => '')),
      );
      if (!fetchUrl) return null;
      return { fetch: absoluteUrl(fetchUrl, topLevel), push: absoluteUrl(pushUrl || fetchUrl, topLevel) };
    },
  };
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
