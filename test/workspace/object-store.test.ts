import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diffForFile, sameChange } from '../../src/workspace/branch-history.js';
import { createObjectStore, type ObjectStore } from '../../src/workspace/object-store.js';

const IDENTITY = { name: 'scrum-apply[bot]', email: 'scrum-apply[bot]@users.noreply.github.com' };
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function run(cwd: string, args: string[]): Buffer {
  return execFileSync('git', args, {
    cwd,
    env: { PATH: process.env.PATH, HOME: cwd, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' },
  });
}
const text = (cwd: string, args: string[]) => run(cwd, args).toString('utf8').trim();

/** A repository with one commit of `files` (and the symlinks given), its store, and its head. */
function repoWith(files: Record<string, string | Buffer>, options: { format?: 'sha1' | 'sha256'; symlinks?: Record<string, string>; executable?: string[] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'scrum-apply-objects-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  run(dir, ['init', '-q', `--object-format=${options.format ?? 'sha1'}`, '-b', 'main']);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  for (const [path, target] of Object.entries(options.symlinks ?? {})) symlinkSync(target, join(dir, path));
  run(dir, ['add', '-A']);
  for (const path of options.executable ?? []) run(dir, ['update-index', '--chmod=+x', path]);
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

describe('ObjectStore.entryAt and blob', () => {
  it('describes entries as ls-tree does and reads exact bytes', async () => {
    const crlf = Buffer.from('line one\r\nline two\r\n');
    const { dir, store, head } = repoWith(
      { 'src/lib.rs': 'pub fn a() {}\n', 'tools/run.sh': '#!/bin/sh\n', 'docs/with space/ünï.md': 'x\n', 'globs/*.rs': 'star\n', 'globs/a.rs': 'a\n', 'crlf.txt': crlf },
      { executable: ['tools/run.sh'], symlinks: { 'link': 'src' } },
    );
    for (const path of ['src/lib.rs', 'tools/run.sh', 'docs/with space/ünï.md', 'globs/*.rs', 'src', 'link']) {
      expect(await store.entryAt(head, path), path).toEqual(lsTree(dir, head, path));
    }
    expect(await store.entryAt(head, 'tools/run.sh')).toMatchObject({ mode: '100755', type: 'blob' });
    expect(await store.entryAt(head, 'src')).toMatchObject({ mode: '040000', type: 'tree', size: null });
    expect(await store.entryAt(head, 'link')).toMatchObject({ mode: '120000' });
    // Literal names, never through a symlink, absent is null.
    expect(await store.entryAt(head, 'link/lib.rs')).toBeNull();
    expect(await store.entryAt(head, 'globs/?.rs')).toBeNull();
    expect(await store.entryAt(head, 'src/missing.rs')).toBeNull();
    expect(await store.entryAt(head, 'src/lib.rs/deeper')).toBeNull();

    const entry = await store.entryAt(head, 'crlf.txt');
    expect((await store.blob(entry?.sha ?? '')).equals(crlf)).toBe(true);
  });

  it('answers many pipelined reads in order, large blobs intact', async () => {
    const files: Record<string, string | Buffer> = {};
    for (let i = 0; i < 50; i += 1) files[`d${i % 5}/f${i}.txt`] = `file ${i}\n`.repeat(i + 1);
    files['big.bin'] = Buffer.alloc(3 * 1024 * 1024, 7);
    const { store, head } = repoWith(files);
    const reads = await Promise.all(
      Object.keys(files).flatMap((path) => [0, 1, 2, 3].map(async () => {
        const entry = await store.entryAt(head, path);
        return { path, content: await store.blob(entry?.sha ?? '') };
      })),
    );
    expect(reads).toHaveLength(204);
    for (const { path, content } of reads) expect(content.equals(Buffer.from(files[path] ?? ''))).toBe(true);
  });

  it('says clearly what is wrong, and works again after close()', async () => {
    const { store, head } = repoWith({ 'a.txt': 'a\n' });
    await expect(store.blob('0'.repeat(40))).rejects.toThrow(`git object ${'0'.repeat(40)} is missing`);
    await expect(store.blob('HEAD\ninfo x')).rejects.toThrow('not an object id');
    await expect(store.blob(head)).rejects.toThrow('is a commit, not a blob');
    store.close();
    expect(await store.entryAt(head, 'a.txt')).toMatchObject({ type: 'blob', size: 2 });
  });
});

describe('ObjectStore.commitReplacing', () => {
  it('replaces exactly one file (bytes, mode) in a nested tree: a valid commit by the given identity', async () => {
    const { dir, store, head } = repoWith({ 'a/b/c.rs': 'old\n', 'a/b/d.rs': 'keep\n', 'a/e.rs': 'keep\n', 'top.rs': 'keep\n' });
    const content = Buffer.from('new\r\nbytes\n');
    const commit = await store.commitReplacing({ parent: head, path: 'a/b/c.rs', content, mode: '100755', identity: IDENTITY, message: 'scrum-apply: fix a/b/c.rs\n\n' });
    run(dir, ['fsck', '--strict', '--no-progress']);
    expect(text(dir, ['diff', '--name-only', head, commit])).toBe('a/b/c.rs');
    expect(run(dir, ['cat-file', 'blob', `${commit}:a/b/c.rs`]).equals(content)).toBe(true);
    expect(lsTree(dir, commit, 'a/b/c.rs')?.mode).toBe('100755');
    expect(text(dir, ['log', '-1', '--format=%an <%ae>|%cn <%ce>|%P', commit])).toBe(`${IDENTITY.name} <${IDENTITY.email}>|${IDENTITY.name} <${IDENTITY.email}>|${head}`);
    expect(run(dir, ['cat-file', 'commit', commit]).toString('utf8').endsWith('\n\nscrum-apply: fix a/b/c.rs\n')).toBe(true);
  });

  it('refuses what is not a regular file at the parent', async () => {
    const { store, head } = repoWith({ 'src/lib.rs': 'x\n' }, { symlinks: { link: 'src/lib.rs' } });
    for (const path of ['src', 'link', 'missing.rs', 'link/x']) {
      await expect(store.commitReplacing({ parent: head, path, content: Buffer.from('y'), mode: '100644', identity: IDENTITY, message: 'm' })).rejects.toThrow('is not a regular file');
    }
  });

  it('works in a sha256 repository', async () => {
    const { dir, store, head } = repoWith({ 'src/lib.rs': 'old\n' }, { format: 'sha256' });
    expect(head).toMatch(/^[0-9a-f]{64}$/);
    expect(await store.entryAt(head, 'src/lib.rs')).toEqual(lsTree(dir, head, 'src/lib.rs'));
    const commit = await store.commitReplacing({ parent: head, path: 'src/lib.rs', content: Buffer.from('new\n'), mode: '100644', identity: IDENTITY, message: 'm' });
    run(dir, ['fsck', '--strict', '--no-progress']);
    expect(text(dir, ['show', `${commit}:src/lib.rs`])).toBe('new');
  });

  it('reads borrowed objects through alternates and writes only into its own store', async () => {
    const user = repoWith({ 'src/lib.rs': 'old\n' });
    const scratch = mkdtempSync(join(tmpdir(), 'scrum-apply-objects-scratch-'));
    cleanups.push(() => rmSync(scratch, { recursive: true, force: true }));
    run(scratch, ['init', '-q', '--bare', 'repo.git']);
    const gitDir = join(scratch, 'repo.git');
    writeFileSync(join(gitDir, 'objects', 'info', 'alternates'), `${join(user.dir, '.git', 'objects')}\n`);
    const before = text(user.dir, ['count-objects', '-v']);
    const store = createObjectStore({ gitDir, objectFormat: 'sha1' });
    cleanups.push(() => store.close());
    const commit = await store.commitReplacing({ parent: user.head, path: 'src/lib.rs', content: Buffer.from('new\n'), mode: '100644', identity: IDENTITY, message: 'm' });
    expect(text(gitDir, ['show', `${commit}:src/lib.rs`])).toBe('new');
    expect(text(user.dir, ['count-objects', '-v'])).toBe(before);
    expect(readdirSync(join(gitDir, 'objects')).filter((name) => /^[0-9a-f]{2}$/.test(name)).length).toBeGreaterThan(0);
  });
});

describe('sameChange and diffForFile on the store', () => {
  let store: ObjectStore;
  it('compare trees and parents, and diff one file with git-style headers', async () => {
    const repo = repoWith({ 'src/lib.rs': 'one\ntwo\nthree', 'other.rs': 'x\n' });
    store = repo.store;
    const edit = (content: string, message: string) =>
      store.commitReplacing({ parent: repo.head, path: 'src/lib.rs', content: Buffer.from(content), mode: '100644', identity: IDENTITY, message });
    const a = await edit('one\nTWO\nthree', 'a');
    const b = await edit('one\nTWO\nthree', 'b, another run');
    const c = await edit('one\ntwo\nthree\n', 'c');
    expect(await sameChange(store, a, b)).toBe(true);
    expect(await sameChange(store, a, c)).toBe(false);
    expect(await sameChange(store, repo.head, a)).toBe(false);
    const diff = await diffForFile(store, a, 'src/lib.rs');
    expect(diff).toBe('--- a/src/lib.rs\n+++ b/src/lib.rs\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n\\ No newline at end of file\n');
    expect(await diffForFile(store, c, 'src/lib.rs')).toContain('\\ No newline at end of file\n+three\n');
  });
});
