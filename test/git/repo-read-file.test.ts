import { chmodSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repo } from '../../src/git/open-repo.js';
import { createFixtureRepo, git, type FixtureRepo } from '../helpers/fixture-repo.js';
import { openOn, snapshotUserRepo } from './repo-fixture.js';

let repo: FixtureRepo;
let ws: Repo;
let short: string;
let before: Record<string, string>;

const SHAPES = 'crates/geometry/src/shapes.rs';

beforeAll(async () => {
  repo = createFixtureRepo({
    prefix: 'scrum-apply-ws-read-',
    extraFiles: {
      'tools/run.sh': '#!/bin/sh\necho hi\n',
      'data/binary.bin': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x02]),
      'data/latin1.txt': Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]),
      'data/big.txt': 'x'.repeat(1024 * 1024 + 1),
      'data/limit.txt': 'y'.repeat(1024 * 1024),
      'globs/*.rs': 'star\n',
      'globs/a.rs': 'a\n',
      'ünï/файл.rs': 'fn main() {}\n',
      'crates/geometry/src/deep/er.rs': 'pub fn er() {}\n',
      'crates/fake/Cargo.toml/inner.rs': 'a directory named Cargo.toml is no manifest\n',
    },
  });
  chmodSync(join(repo.dir, 'tools/run.sh'), 0o755);
  symlinkSync('crates/geometry/src/shapes.rs', join(repo.dir, 'link.rs'));
  symlinkSync('crates/geometry', join(repo.dir, 'linkdir'));
  symlinkSync('/etc/passwd', join(repo.dir, 'outside'));
  repo.commitAll('links and odd files');
  // A submodule gitlink, as `git submodule add` would record it.
  const head = git(repo.dir, 'rev-parse', 'HEAD').trim();
  git(repo.dir, 'update-index', '--add', '--cacheinfo', `160000,${head},vendor/sub`);
  git(repo.dir, 'commit', '-q', '-m', 'submodule');
  git(repo.dir, 'push', '-q', 'origin', 'HEAD');
  // The working tree says something else than the base: it must not be read.
  repo.write(SHAPES, 'dirty working tree\n');
  repo.write('untracked.rs', 'untracked\n');
  repo.write('tools/Cargo.toml', '[package]\nname = "untracked"\n');
  before = snapshotUserRepo(repo.dir);
  ws = await openOn(repo.root, repo.dir);
  short = ws.baseSha.slice(0, 7);
});

afterAll(async () => {
  await ws.dispose();
  expect(snapshotUserRepo(repo.dir)).toEqual(before);
  repo.cleanup();
});

describe('Repo.readTrackedFile', () => {
  it('reads a regular file from the base commit, not the working tree', async () => {
    const file = await ws.readTrackedFile(SHAPES);
    expect(file.type).toBe('file');
    if (file.type !== 'file') return;
    expect(file.mode).toBe('100644');
    expect(file.content.equals(Buffer.from(git(repo.dir, 'show', `HEAD:${SHAPES}`)))).toBe(true);
    expect(file.content.toString()).not.toContain('dirty working tree');
  });

  it('reports an executable as 100755', async () => {
    expect(await ws.readTrackedFile('tools/run.sh')).toMatchObject({ type: 'file', mode: '100755' });
  });

  it('keeps CRLF bytes as stored', async () => {
    const file = await ws.readTrackedFile('crates/report/src/format.rs');
    expect(file.type === 'file' && file.content.includes('\r\n')).toBe(true);
  });

  it('reads names with glob characters and non-ASCII literally', async () => {
    expect(await ws.readTrackedFile('globs/*.rs')).toMatchObject({ type: 'file', content: Buffer.from('star\n') });
    expect(await ws.readTrackedFile('globs/?.rs')).toEqual({ type: 'rejected', reason: `not tracked at ${short}` });
    expect(await ws.readTrackedFile('globs/*')).toEqual({ type: 'rejected', reason: `not tracked at ${short}` });
    expect(await ws.readTrackedFile('ünï/файл.rs')).toMatchObject({ type: 'file' });
  });

  it.each([
    ['link.rs', 'is a symlink'],
    ['outside', 'is a symlink'],
    ['vendor/sub', 'is a submodule'],
    ['crates/geometry', 'is a directory'],
    ['crates', 'is a directory'],
    ['data/binary.bin', 'is not UTF-8 text'],
    ['data/latin1.txt', 'is not UTF-8 text'],
  ])('%s → %s', async (path, reason) => {
    expect(await ws.readTrackedFile(path)).toEqual({ type: 'rejected', reason });
  });

  it('rejects what is not tracked at the base, naming the base', async () => {
    for (const path of ['untracked.rs', 'linkdir/src/shapes.rs', 'outside/x', 'vendor/sub/file.rs', 'no/such/file.rs', 'CARGO.TOML']) {
      expect(await ws.readTrackedFile(path)).toEqual({ type: 'rejected', reason: `not tracked at ${short}` });
    }
  });

  it('rejects paths under .git and paths that are not plain relative paths', async () => {
    for (const path of ['.git/config', '.git/HEAD', 'crates/.git/config', '.GIT/config', '../outside.rs', '/etc/passwd', 'a//b', './Cargo.toml', '', 'crates/']) {
      const result = await ws.readTrackedFile(path);
      expect(result.type, path).toBe('rejected');
    }
    expect(await ws.readTrackedFile('.git/config')).toEqual({ type: 'rejected', reason: 'path has a ".git" component (".git")' });
  });

  it('rejects files over 1 MiB and accepts exactly 1 MiB', async () => {
    expect(await ws.readTrackedFile('data/big.txt')).toEqual({
      type: 'rejected',
      reason: 'is too large (1048577 bytes; the limit is 1048576)',
    });
    const limit = await ws.readTrackedFile('data/limit.txt');
    expect(limit.type === 'file' && limit.content.length).toBe(1024 * 1024);
  });

  it('finds the Cargo package a file belongs to by the nearest tracked Cargo.toml above it', async () => {
    expect(await ws.packageDirOf(SHAPES)).toBe('crates/geometry');
    expect(await ws.packageDirOf('crates/geometry/src/deep/er.rs')).toBe('crates/geometry');
    expect(await ws.packageDirOf('crates/report/src/lib.rs')).toBe('crates/report');
    // No package of its own (the untracked tools/Cargo.toml does not count): the root's manifest.
    expect(await ws.packageDirOf('tools/run.sh')).toBe('');
    expect(await ws.packageDirOf('crates/fake/Cargo.toml/inner.rs')).toBe('');
  });

  it('left the checkout, its index and its object store as they were', () => {
    expect(snapshotUserRepo(repo.dir)).toEqual(before);
  });
});
