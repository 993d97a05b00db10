import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { GitError, spawnGit } from './run-git.js';
import {
  commitContent,
  assertIdentity,
  encodeObject,
  objectFormatOf,
  parseCommitHeader,
  parseTree,
  serializeTree,
  type ObjectFormat,
  type RawTreeEntry,
} from './git-objects.js';

/**
 * A small window and little memory: setting up zlib's defaults costs more than compressing a
 * source file, and git reads any valid zlib stream.
 */
const DEFLATE_OPTIONS = { windowBits: 12, memLevel: 2 };
const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** One entry of a tree, as `ls-tree -l` describes it. */
export interface TreeEntry {
  /** Six digits, as ls-tree prints it (`040000` for a tree). */
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  /** Blobs only. */
  size: number | null;
}

export interface ReplaceFileInput {
  parent: string;
  path: string;
  content: Buffer;
  mode: '100644' | '100755';
  identity: { name: string; email: string };
  message: string;
  when?: Date;
}

/**
 * The objects of one repository, read through a single long-lived `git cat-file
 * --batch-command` (it also sees the objects the repository borrows through alternates) and
 * written in-process as loose objects: a file's content, the trees above it and a commit cost
 * no git process each. On this project's machines every process the bot starts blocks Node's
 * event loop for several milliseconds, so a run of hundreds of files feels the difference.
 */
export interface ObjectStore {
  /** The entry at exactly `path` (a `/`-separated literal) in `commit`'s tree; null if none. */
  entryAt(commit: string, path: string): Promise<TreeEntry | null>;
  blob(oid: string): Promise<Buffer>;
  commitHeader(oid: string): Promise<{ tree: string; parents: string[] }>;
  /** The commit's message (everything after its header). */
  commitMessage(oid: string): Promise<string>;
  /**
   * A commit on `parent` whose tree is the parent's with the regular file at `path` replaced
   * by `content` (exact bytes: no filters, no line-ending conversion). Throws when `path` is
   * not a regular file in the parent.
   */
  commitReplacing(input: ReplaceFileInput): Promise<string>;
  /** Ends the cat-file process; a later read starts a new one. */
  close(): void;
}

type GitObject = { type: string; size: number; content: Buffer | null };

interface Request {
  kind: 'info' | 'contents';
  oid: string;
  resolve: (object: GitObject | null) => void;
  reject: (error: Error) => void;
}

/** The cat-file process: requests are answered strictly in order, so they may be pipelined. */
function createBatchReader(gitDir: string): { request(kind: Request['kind'], oid: string): Promise<GitObject | null>; close(): void } {
  let child: ChildProcessWithoutNullStreams | null = null;
  let pending: Request[] = [];
  let buffered: Buffer = Buffer.alloc(0);
  let stderr = '';

  const hold = (on: boolean) => {
    // The pipes are sockets: unreferenced while idle, so an idle reader never keeps Node alive.
    const handles = child === null ? [] : ([child, child.stdin, child.stdout, child.stderr] as unknown as Array<{ ref(): void; unref(): void }>);
    for (const handle of handles) {
      if (on) handle.ref();
      else handle.unref();
    }
  };

  function fail(error: Error): void {
    const failed = pending;
    pending = [];
    buffered = Buffer.alloc(0);
    child?.kill();
    child = null;
    for (const request of failed) request.reject(error);
  }

  function drain(): void {
    while (pending.length > 0) {
      const request = pending[0] as Request;
      const newline = buffered.indexOf(0x0a);
      if (newline < 0) return;
      const header = buffered.toString('utf8', 0, newline).split(' ');
      let object: GitObject | null;
      let used = newline + 1;
      if (header.length === 2 && header[1] === 'missing') {
        object = null;
      } else if (header.length === 3 && header[0] === request.oid && /^\d+$/.test(header[2] ?? '')) {
        const size = Number(header[2]);
        if (request.kind === 'contents') {
          if (buffered.length < used + size + 1) return;
          object = { type: header[1] ?? '', size, content: Buffer.from(buffered.subarray(used, used + size)) };
          used += size + 1;
        } else {
          object = { type: header[1] ?? '', size, content: null };
        }
      } else {
        fail(new Error(`git cat-file answered ${JSON.stringify(header.join(' ').slice(0, 200))} for ${request.oid}`));
        return;
      }
      buffered = buffered.subarray(used);
      pending.shift();
      if (pending.length === 0) hold(false);
      request.resolve(object);
    }
  }

  function start(): ChildProcessWithoutNullStreams {
    const proc = spawnGit(['cat-file', '--batch-command'], { cwd: gitDir, env: { GIT_DIR: gitDir } });
    stderr = '';
    // A closed or failed process may still be answering what it was asked: not ours any more.
    proc.stdout.on('data', (chunk: Buffer) => {
      if (child !== proc) return;
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      drain();
    });
    proc.stderr.on('data', (chunk: Buffer) => {
      if (child === proc) stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    // Writing to a process that died fails (EPIPE); its 'close' below fails the requests with git's reason.
    proc.stdin.on('error', () => undefined);
    proc.on('error', (error) => {
      if (child === proc) fail(new GitError({ command: 'cat-file', exitCode: null, stderr, stdout: '', reason: `could not run: ${error.message}`, cause: error }));
    });
    proc.on('close', (code, signal) => {
      if (child !== proc) return;
      const why = stderr.trim().split('\n').pop() || `exit ${code ?? signal}`;
      fail(new GitError({ command: 'cat-file', exitCode: code, stderr, stdout: '', reason: `stopped (${why})` }));
    });
    return proc;
  }

  return {
    request(kind, oid) {
      if (!OBJECT_ID.test(oid)) return Promise.reject(new Error(`not an object id: ${JSON.stringify(oid)}`));
      return new Promise((resolve, reject) => {
        child ??= start();
        if (pending.length === 0) hold(true);
        pending.push({ kind, oid, resolve, reject });
        child.stdin.write(`${kind} ${oid}\n`);
      });
    },
    close() {
      hold(false);
      child?.stdin.end();
      child = null;
      buffered = Buffer.alloc(0);
      for (const request of pending.splice(0)) request.reject(new Error('the object store was closed'));
    },
  };
}

function modeOf(raw: string): { mode: string; type: TreeEntry['type'] } {
  const mode = raw.padStart(6, '0');
  return { mode, type: mode === '040000' ? 'tree' : mode === '160000' ? 'commit' : 'blob' };
}

export function createObjectStore(options: { gitDir: string; objectFormat: string }): ObjectStore {
  const format: ObjectFormat = objectFormatOf(options.objectFormat);
  const reader = createBatchReader(options.gitDir);
  // Objects never change: what was read once is kept for the run (a few trees per file).
  const trees = new Map<string, Promise<RawTreeEntry[]>>();
  const commits = new Map<string, Promise<{ tree: string; parents: string[] }>>();

  async function contents(oid: string, type: string): Promise<Buffer> {
    const object = await reader.request('contents', oid);
    if (object === null || object.content === null) throw new Error(`git object ${oid} is missing`);
    if (object.type !== type) throw new Error(`git object ${oid} is a ${object.type}, not a ${type}`);
    return object.content;
  }

  function tree(oid: string): Promise<RawTreeEntry[]> {
    let parsed = trees.get(oid);
    if (parsed === undefined) {
      parsed = contents(oid, 'tree').then((content) => parseTree(content, format));
      // The caller gets the failure through `parsed`; this only keeps it out of the cache.
      parsed.catch(() => trees.delete(oid));
      trees.set(oid, parsed);
    }
    return parsed;
  }

  function commitHeader(oid: string): Promise<{ tree: string; parents: string[] }> {
    let header = commits.get(oid);
    if (header === undefined) {
      header = contents(oid, 'commit').then(parseCommitHeader);
      // As for trees: the failure reaches the caller through `header`, not the cache.
      header.catch(() => commits.delete(oid));
      commits.set(oid, header);
    }
    return header;
  }

  /** The trees from the root down to `path`'s entry: each tree and the entry's position in it; null when absent. */
  async function walk(commit: string, path: string): Promise<Array<{ entries: RawTreeEntry[]; at: number }> | null> {
    const names = path.split('/');
    const levels: Array<{ entries: RawTreeEntry[]; at: number }> = [];
    let treeOid = (await commitHeader(commit)).tree;
    for (const [depth, name] of names.entries()) {
      const entries = await tree(treeOid);
      const wanted = Buffer.from(name, 'utf8');
      const at = entries.findIndex((entry) => entry.name.equals(wanted));
      if (at < 0) return null;
      levels.push({ entries, at });
      const entry = entries[at] as RawTreeEntry;
      if (depth < names.length - 1) {
        // Like ls-tree, never through a symlink or a submodule: only into trees.
        if (modeOf(entry.mode).type !== 'tree') return null;
        treeOid = entry.oid.toString('hex');
      }
    }
    return levels;
  }

  const written = new Set<string>();
  async function writeObject(type: 'blob' | 'tree' | 'commit', content: Buffer): Promise<string> {
    const { oid, raw } = encodeObject(format, type, content);
    if (written.has(oid)) return oid;
    const dir = join(options.gitDir, 'objects', oid.slice(0, 2));
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `tmp_obj_${randomBytes(6).toString('hex')}`);
    try {
      await writeFile(temp, deflateSync(raw, DEFLATE_OPTIONS), { mode: 0o444, flag: 'wx' });
      await rename(temp, join(dir, oid.slice(2)));
    } finally {
      await rm(temp, { force: true });
    }
    written.add(oid);
    return oid;
  }

  return {
    async entryAt(commit, path) {
      const levels = await walk(commit, path);
      const last = levels?.at(-1);
      if (!last) return null;
      const entry = last.entries[last.at] as RawTreeEntry;
      const sha = entry.oid.toString('hex');
      const { mode, type } = modeOf(entry.mode);
      if (type !== 'blob') return { mode, type, sha, size: null };
      const info = await reader.request('info', sha);
      if (info === null) throw new Error(`git object ${sha} (${path}) is missing`);
      return { mode, type, sha, size: info.size };
    },
    blob: (oid) => contents(oid, 'blob'),
    commitHeader,
    async commitMessage(oid) {
      const content = await contents(oid, 'commit');
      const end = content.indexOf('\n\n');
      return end < 0 ? '' : content.toString('utf8', end + 2);
    },
    async commitReplacing(input) {
      // Checked before anything is written, so a bad identity leaves no stray objects behind.
      assertIdentity('author', input.identity);
      const levels = await walk(input.parent, input.path);
      const last = levels?.at(-1);
      if (!levels || !last || !/^10(0644|0755)$/.test(modeOf((last.entries[last.at] as RawTreeEntry).mode).mode)) {
        throw new Error(`${input.path} is not a regular file in ${input.parent}`);
      }
      let oid = await writeObject('blob', input.content);
      for (const [depth, level] of [...levels.entries()].reverse()) {
        const entries = level.entries.slice();
        const entry = entries[level.at] as RawTreeEntry;
        // Only ids change (and the file's mode): git's order of the entries stays as it was.
        entries[level.at] = { mode: depth === levels.length - 1 ? input.mode : entry.mode, name: entry.name, oid: Buffer.from(oid, 'hex') };
        oid = await writeObject('tree', serializeTree(entries));
      }
      const who = { ...input.identity, when: input.when ?? new Date() };
      return writeObject('commit', commitContent({ tree: oid, parents: [input.parent], author: who, committer: who, message: input.message }));
    },
    close: () => reader.close(),
  };
}
