import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diffForFile, sameChange } from '../../src/git/branch-history.js';
import { createObjectStore, type ObjectStore, type ReplaceFileInput } from '../../src/git/object-store.js';

const IDENTITY = { name: 'scrum-apply[bot]', email: 'scrum-apply[bot]@users.noreply.github.com' };
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function run(cwd: string, args: string[]): Buffer {
  return execFileSync('git', args, {
    cwd,
    env: { PATH: process.env.PATH, HOME: cwd, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
const text = (cwd: string, args: string[]) => run(cwd, args).toString('utf8').trim();

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A repository with one commit of `files` (and the symlinks given), its store, and its head. */
function repoWith(
  files: Record<string, string | Buffer>,
  options: { format?: 'sha1' | 'sha256'; symlinks?: Record<string, string>; executable?: string[]; gitlinks?: Record<string, string> } = {},
) {
  const dir = tempDir('scrum-apply-objects-');
  run(dir, ['init', '-q', `--object-format=${options.format ?? 'sha1'}`, '-b', 'main']);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  for (const [path, target] of Object.entries(options.symlinks ?? {})) symlinkSync(target, join(dir, path));
  run(dir, ['add', '-A']);
  for (const path of options.executable ?? []) run(dir, ['update-index', '--chmod=+x', path]);
  for (const [path, sha] of Object.entries(options.gitlinks ?? {})) run(dir, ['update-index', '--add', '--cacheinfo', `160000,${sha},${path}`]);
  run(dir, ['commit', '-q', '-m', 'base']);
  const store = createObjectStore({ gitDir: join(dir, '.git'), objectFormat: options.format ?? 'sha1' });
  cleanups.push(() => store.close());
  return { dir, store, head: text(dir, ['rev-parse', 'HEAD']) };
}

function lsTree(dir: string, commit: string, path: string) {
  const [meta = '', name] = text(dir, ['ls-tree', '-l', '--full-tree', commit, '--', path]).split('\t');
  const [mode, type, sha, size] = meta.split(/ +/);
  return name === undefined ? null : { mode, type, sha, size: size === '-' ? null : Number(size) };
}

function replacing(parent: string, path: string, content: string | Buffer, extra: Partial<ReplaceFileInput> = {}): ReplaceFileInput {
  return { parent, path, content: Buffer.from(content), mode: '100644', identity: IDENTITY, message: 'm', ...extra };
}

/** The store's cat-file process for `gitDir`: a child of this process, found through /proc. */
function catFilePids(gitDir: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return ppid === process.pid && argv.includes('cat-file') && argv.includes('--batch-command') && readlinkSync(`/proc/${pid}/cwd`) === realpathSync(gitDir);
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

const gitHandles = () => process.getActiveResourcesInfo().filter((kind) => kind === 'ProcessWrap' || kind === 'PipeWrap').length;

describe('ObjectStore.entryAt and blob', () => {
  it('describes entries as ls-tree does and reads exact bytes', async () => {
    const crlf = Buffer.from('line one\r\nline two\r\n');
    const binary = Buffer.from([0, 1, 2, 255, 10, 13, 0]);
    const { dir, store, head } = repoWith(
      {
        'src/lib.rs': 'pub fn a() {}\n',
        'a/b/c/deep.rs': 'deep\n',
        'tools/run.sh': '#!/bin/sh\n',
        'docs/with space/ünï.md': 'x\n',
        'globs/*.rs': 'star\n',
        'globs/a.rs': 'a\n',
        'crlf.txt': crlf,
        'bin.dat': binary,
        'empty': '',
      },
      { executable: ['tools/run.sh'], symlinks: { link: 'src' }, gitlinks: { vendor: 'f'.repeat(40) } },
    );
    const paths = ['src/lib.rs', 'a/b/c/deep.rs', 'a/b', 'tools/run.sh', 'docs/with space/ünï.md', 'globs/*.rs', 'crlf.txt', 'bin.dat', 'empty', 'src', 'link', 'vendor'];
    for (const path of paths) {
      const entry = await store.entryAt(head, path);
      expect(entry, path).toEqual(lsTree(dir, head, path));
      if (entry?.type === 'blob') expect((await store.blob(entry.sha)).equals(run(dir, ['cat-file', 'blob', entry.sha])), path).toBe(true);
    }
    expect(await store.entryAt(head, 'src/lib.rs')).toMatchObject({ mode: '100644', type: 'blob', size: 14 });
    expect(await store.entryAt(head, 'tools/run.sh')).toMatchObject({ mode: '100755', type: 'blob' });
    expect(await store.entryAt(head, 'src')).toMatchObject({ mode: '040000', type: 'tree', size: null });
    expect(await store.entryAt(head, 'link')).toMatchObject({ mode: '120000', type: 'blob', size: 3 });
    expect(await store.entryAt(head, 'vendor')).toEqual({ mode: '160000', type: 'commit', sha: 'f'.repeat(40), size: null });
    // Literal names, never through a symlink or a submodule; absent is null.
    expect(await store.entryAt(head, 'link/lib.rs')).toBeNull();
    expect(await store.entryAt(head, 'vendor/x')).toBeNull();
    expect(await store.entryAt(head, 'globs/?.rs')).toBeNull();
    expect(await store.entryAt(head, 'globs/*')).toBeNull();
    expect(await store.entryAt(head, 'src/missing.rs')).toBeNull();
    expect(await store.entryAt(head, 'src/lib.rs/deeper')).toBeNull();
    expect(await store.entryAt(head, 'SRC/lib.rs')).toBeNull();
    expect(await store.entryAt(head, 'docs/with space/uni.md')).toBeNull();

    const entry = await store.entryAt(head, 'crlf.txt');
    expect((await store.blob(entry?.sha ?? '')).equals(crlf)).toBe(true);
    expect((await store.blob((await store.entryAt(head, 'bin.dat'))?.sha ?? '')).equals(binary)).toBe(true);
    expect((await store.blob((await store.entryAt(head, 'empty'))?.sha ?? '')).length).toBe(0);
  });

  it('answers many pipelined reads in order, a missing object among them, large blobs intact', async () => {
    const files: Record<string, string | Buffer> = {};
    for (let i = 0; i < 50; i += 1) files[`d${i % 5}/f${i}.txt`] = `file ${i}\n`.repeat(i + 1);
    const big = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 1) big[i] = (i * 31 + (i >> 10)) & 0xff;
    files['big.bin'] = big;
    const { store, head } = repoWith(files);
    const missing = store.blob('0'.repeat(40)).then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    const reads = await Promise.all(
      Object.keys(files).flatMap((path) =>
        [0, 1, 2, 3].map(async () => {
          const entry = await store.entryAt(head, path);
          return { path, entry, content: await store.blob(entry?.sha ?? '') };
        }),
      ),
    );
    expect(await missing).toBe(`git object ${'0'.repeat(40)} is missing`);
    expect(reads).toHaveLength(204);
    for (const { path, entry, content } of reads) {
      expect(content.equals(Buffer.from(files[path] ?? '')), path).toBe(true);
      expect(entry?.size, path).toBe(content.length);
    }
    // Blob reads started all at once, without entryAt in between.
    const shas = reads.map((read) => read.entry?.sha ?? '');
    const again = await Promise.all(shas.map((sha) => store.blob(sha)));
    again.forEach((content, i) => expect(content.equals(reads[i]?.content ?? Buffer.alloc(1))).toBe(true));
  });

  it('says clearly what is wrong, and works again after close()', async () => {
    const { store, head } = repoWith({ 'a.txt': 'a\n' });
    await expect(store.blob('0'.repeat(40))).rejects.toThrow(`git object ${'0'.repeat(40)} is missing`);
    await expect(store.blob('HEAD\ninfo x')).rejects.toThrow('not an object id');
    await expect(store.blob('HEAD')).rejects.toThrow('not an object id: "HEAD"');
    await expect(store.blob(head.slice(0, 12))).rejects.toThrow('not an object id');
    await expect(store.blob(head.toUpperCase())).rejects.toThrow('not an object id');
    await expect(store.blob(head)).rejects.toThrow('is a commit, not a blob');
    await expect(store.entryAt('1'.repeat(40), 'a.txt')).rejects.toThrow(`git object ${'1'.repeat(40)} is missing`);
    store.close();
    expect(await store.entryAt(head, 'a.txt')).toMatchObject({ type: 'blob', size: 2 });
  });
});

describe('the cat-file process', () => {
  it('close() rejects reads in flight; reads right after it get the right answers', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 40; i += 1) files[`f${i}.txt`] = `content ${i}\n`.repeat(200 + i);
    const { store, head } = repoWith(files);
    const entries = await Promise.all(Object.keys(files).map(async (path) => ({ path, sha: (await store.entryAt(head, path))?.sha ?? '' })));
    const inFlight = entries.map(({ sha }) => store.blob(sha).then(() => 'read', (error: Error) => error.message));
    store.close();
    // Other objects than the closed process was still answering, and then more reads again.
    const readAll = (list: typeof entries) => Promise.all(list.map(async ({ path, sha }) => ({ path, content: (await store.blob(sha)).toString('utf8') })));
    const after = await readAll(entries.slice().reverse());
    expect(new Set(await Promise.all(inFlight))).toEqual(new Set(['the object store was closed']));
    for (const { path, content } of [...after, ...(await readAll(entries))]) expect(content, path).toBe(files[path]);
  });

  it('when git cat-file dies, the reads waiting on it fail and the next read starts a new one', async () => {
    const { dir, store, head } = repoWith({ 'a.txt': 'a\n', 'b.txt': 'b\n' });
    const gitDir = join(dir, '.git');
    const a = await store.entryAt(head, 'a.txt');
    const [pid] = catFilePids(gitDir);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid ?? 0, 'SIGKILL');
    // Asked before Node has noticed the death: answered by nobody.
    await expect(store.blob(a?.sha ?? '')).rejects.toThrow(/^git cat-file stopped \(/);
    expect((await store.blob(a?.sha ?? '')).toString()).toBe('a\n');
    expect(await store.entryAt(head, 'b.txt')).toMatchObject({ type: 'blob', size: 2 });
    expect(catFilePids(gitDir).filter((other) => other !== pid)).toHaveLength(1);
  });

  it('holds Node open only while a read is pending', async () => {
    const { store, head } = repoWith({ 'a.txt': 'a\n' });
    const idle = gitHandles();
    const pending = store.entryAt(head, 'a.txt');
    await new Promise((resolve) => setImmediate(resolve));
    expect(gitHandles()).toBeGreaterThan(idle);
    await pending;
    // (Handles of earlier tests may close meanwhile, never open.)
    expect(gitHandles()).toBeLessThanOrEqual(idle);
  });
});

describe('ObjectStore.commitReplacing', () => {
  it('replaces exactly one file (bytes, mode) in a nested tree: a valid commit by the given identity', async () => {
    const { dir, store, head } = repoWith({ 'a/b/c.rs': 'old\n', 'a/b/d.rs': 'keep\n', 'a/e.rs': 'keep\n', 'a/b2/c.rs': 'keep\n', 'top.rs': 'keep\n' });
    const content = Buffer.from('new\r\nbytes\n');
    const when = new Date('2024-05-06T07:08:09Z');
    const commit = await store.commitReplacing(replacing(head, 'a/b/c.rs', content, { mode: '100755', message: 'scrum-apply: fix a/b/c.rs\n\n', when }));
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    run(dir, ['fsck', '--strict', '--no-progress', '--no-dangling']);
    expect(text(dir, ['diff', '--name-only', head, commit])).toBe('a/b/c.rs');
    expect(text(dir, ['diff', '--summary', head, commit])).toBe('mode change 100644 => 100755 a/b/c.rs');
    expect(run(dir, ['cat-file', 'blob', `${commit}:a/b/c.rs`]).equals(content)).toBe(true);
    expect(run(dir, ['show', `${commit}:a/b/c.rs`]).equals(content)).toBe(true);
    expect(lsTree(dir, commit, 'a/b/c.rs')?.mode).toBe('100755');
    // Every tree above the file is new; the ones beside it are shared with the parent.
    for (const tree of ['', 'a', 'a/b']) expect(text(dir, ['rev-parse', `${commit}:${tree}`])).not.toBe(text(dir, ['rev-parse', `${head}:${tree}`]));
    for (const tree of ['a/b2', 'a/b/d.rs']) expect(text(dir, ['rev-parse', `${commit}:${tree}`])).toBe(text(dir, ['rev-parse', `${head}:${tree}`]));
    expect(text(dir, ['log', '-1', '--format=%an <%ae>|%cn <%ce>|%P|%at|%ct', commit])).toBe(
      `${IDENTITY.name} <${IDENTITY.email}>|${IDENTITY.name} <${IDENTITY.email}>|${head}|${when.getTime() / 1000}|${when.getTime() / 1000}`,
    );
    expect(run(dir, ['cat-file', 'commit', commit]).toString('utf8').endsWith('\n\nscrum-apply: fix a/b/c.rs\n')).toBe(true);
    // The store reads what it wrote.
    expect(await store.entryAt(commit, 'a/b/c.rs')).toEqual(lsTree(dir, commit, 'a/b/c.rs'));
    expect(await store.commitHeader(commit)).toEqual({ tree: text(dir, ['rev-parse', `${commit}^{tree}`]), parents: [head] });
  });

  it('drops the executable bit when asked, at the top level, and ends any message with exactly one newline', async () => {
    const { dir, store, head } = repoWith({ 'run.sh': '#!/bin/sh\n', 'lib.rs': 'x\n' }, { executable: ['run.sh'] });
    const commit = await store.commitReplacing(replacing(head, 'run.sh', '#!/bin/sh\r\necho hi\r\n', { message: 'subject\n\nbody line' }));
    run(dir, ['fsck', '--strict', '--no-progress', '--no-dangling']);
    expect(text(dir, ['diff', '--summary', head, commit])).toBe('mode change 100755 => 100644 run.sh');
    expect(run(dir, ['show', `${commit}:run.sh`]).toString('latin1')).toBe('#!/bin/sh\r\necho hi\r\n');
    expect(run(dir, ['cat-file', 'commit', commit]).toString('utf8')).toMatch(/\n\nsubject\n\nbody line\n$/);
    expect(text(dir, ['log', '-1', '--format=%B', commit])).toBe('subject\n\nbody line');
    // Same content and mode: a commit whose tree is the parent's.
    const unchanged = await store.commitReplacing(replacing(head, 'lib.rs', 'x\n'));
    expect(text(dir, ['rev-parse', `${unchanged}^{tree}`])).toBe(text(dir, ['rev-parse', `${head}^{tree}`]));
  });

  it('refuses what is not a regular file at the parent, a parent that is no commit, and a bad identity', async () => {
    const { dir, store, head } = repoWith({ 'src/lib.rs': 'x\n' }, { symlinks: { link: 'src/lib.rs' }, gitlinks: { vendor: 'e'.repeat(40) } });
    const objectsBefore = text(dir, ['count-objects', '-v']);
    for (const path of ['src', 'link', 'vendor', 'missing.rs', 'link/x', 'src/lib.rs/x', '']) {
      await expect(store.commitReplacing(replacing(head, path, 'y')), path).rejects.toThrow(`${path} is not a regular file in ${head}`);
    }
    const tree = text(dir, ['rev-parse', `${head}^{tree}`]);
    await expect(store.commitReplacing(replacing(tree, 'src/lib.rs', 'y'))).rejects.toThrow(`git object ${tree} is a tree, not a commit`);
    await expect(store.commitReplacing(replacing(head, 'src/lib.rs', 'y', { identity: { name: 'x>', email: 'a@b' } }))).rejects.toThrow('invalid author identity');
    await expect(store.commitReplacing(replacing(head, 'src/lib.rs', 'y', { identity: { name: 'x', email: 'a@b\nparent 0' } }))).rejects.toThrow('invalid author identity');
    // Every one refused before anything was written.
    expect(text(dir, ['count-objects', '-v'])).toBe(objectsBefore);
    run(dir, ['fsck', '--strict', '--no-progress', '--no-dangling']);
  });

  it('works in a sha256 repository', async () => {
    const { dir, store, head } = repoWith({ 'src/lib.rs': 'old\n', 'src/deep/x.rs': 'x\r\n', 'other.rs': 'o\n' }, { format: 'sha256' });
    expect(head).toMatch(/^[0-9a-f]{64}$/);
    for (const path of ['src/lib.rs', 'src/deep/x.rs', 'src/deep', 'other.rs']) expect(await store.entryAt(head, path), path).toEqual(lsTree(dir, head, path));
    const deep = await store.entryAt(head, 'src/deep/x.rs');
    expect((await store.blob(deep?.sha ?? '')).equals(run(dir, ['cat-file', 'blob', deep?.sha ?? '']))).toBe(true);
    await expect(store.blob('0'.repeat(64))).rejects.toThrow(`git object ${'0'.repeat(64)} is missing`);
    const commit = await store.commitReplacing(replacing(head, 'src/deep/x.rs', 'new\r\n', { mode: '100755' }));
    expect(commit).toMatch(/^[0-9a-f]{64}$/);
    run(dir, ['fsck', '--strict', '--no-progress', '--no-dangling']);
    expect(text(dir, ['diff', '--name-only', head, commit])).toBe('src/deep/x.rs');
    expect(run(dir, ['show', `${commit}:src/deep/x.rs`]).toString('latin1')).toBe('new\r\n');
    expect(lsTree(dir, commit, 'src/deep/x.rs')?.mode).toBe('100755');
    expect(await store.commitHeader(commit)).toEqual({ tree: text(dir, ['rev-parse', `${commit}^{tree}`]), parents: [head] });
  });

  it('reads borrowed objects through alternates and writes only into its own store', async () => {
    const user = repoWith({ 'src/lib.rs': 'old\n', 'README.md': 'readme\n' });
    const gitDir = join(tempDir('scrum-apply-objects-scratch-'), 'repo.git');
    run(tmpdir(), ['init', '-q', '--bare', gitDir]);
    writeFileSync(join(gitDir, 'objects', 'info', 'alternates'), `${join(user.dir, '.git', 'objects')}\n`);
    const before = text(user.dir, ['count-objects', '-v']);
    const store = createObjectStore({ gitDir, objectFormat: 'sha1' });
    cleanups.push(() => store.close());
    const readme = await store.entryAt(user.head, 'README.md');
    expect(readme).toEqual(lsTree(user.dir, user.head, 'README.md'));
    expect((await store.blob(readme?.sha ?? '')).toString()).toBe('readme\n');
    const commit = await store.commitReplacing(replacing(user.head, 'src/lib.rs', 'new\n'));
    expect(text(gitDir, ['show', `${commit}:src/lib.rs`])).toBe('new');
    run(gitDir, ['fsck', '--strict', '--no-progress', '--no-dangling', commit]);
    expect(text(user.dir, ['count-objects', '-v'])).toBe(before);
    expect(() => run(user.dir, ['cat-file', '-e', commit])).toThrow();
    // The new blob, two trees and the commit: loose, in the scratch repository.
    expect(text(gitDir, ['count-objects', '-v']).match(/^count: (\d+)$/m)?.[1]).toBe('4');
  });
});

describe('sameChange and diffForFile on the store', () => {
  let store: ObjectStore;
  it('compare trees and parents, and diff one file with git-style headers', async () => {
    const repo = repoWith({ 'src/lib.rs': 'one\ntwo\nthree', 'other.rs': 'x\n' });
    store = repo.store;
    const edit = (content: string, message: string) => store.commitReplacing(replacing(repo.head, 'src/lib.rs', content, { message }));
    const a = await edit('one\nTWO\nthree', 'a');
    const b = await edit('one\nTWO\nthree', 'b, another run');
    const c = await edit('one\ntwo\nthree\n', 'c');
    expect(await sameChange(store, a, b)).toBe(true);
    expect(await sameChange(store, a, c)).toBe(false);
    expect(await sameChange(store, repo.head, a)).toBe(false);
    // Same tree, other parent: not the same change.
    const onA = await store.commitReplacing(replacing(a, 'other.rs', 'x\n'));
    expect(await sameChange(store, b, onA)).toBe(false);
    const diff = await diffForFile(store, a, 'src/lib.rs');
    expect(diff).toBe('--- a/src/lib.rs\n+++ b/src/lib.rs\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n\\ No newline at end of file\n');
    expect(await diffForFile(store, c, 'src/lib.rs')).toBe('--- a/src/lib.rs\n+++ b/src/lib.rs\n@@ -1,3 +1,3 @@\n one\n two\n-three\n\\ No newline at end of file\n+three\n');
    // A file the commit did not touch has no diff; the root commit diffs against nothing.
    expect(await diffForFile(store, a, 'other.rs')).toBe('');
    expect(await diffForFile(store, repo.head, 'other.rs')).toBe('--- a/other.rs\n+++ b/other.rs\n@@ -0,0 +1,1 @@\n+x\n');
  });
});
