import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPushBatcher } from '../../src/pipeline/push-batcher.js';
import { createRedactor } from '../../src/log/redact.js';
import { createObjectStore, type ObjectStore } from '../../src/git/object-store.js';
import type { Repo } from '../../src/git/open-repo.js';
import { pushBranches, type PushRef } from '../../src/git/push-branch.js';
import { createScratchRepo, type ScratchRepo } from '../../src/git/scratch-repo.js';
import { createFixtureRepo, git, snapshotRemote, type FixtureRepo } from '../helpers/fixture-repo.js';
import { createGitSpy } from '../helpers/git-spy.js';
import { openOn, pushOne } from './repo-fixture.js';

const SHAPES = 'crates/geometry/src/shapes.rs';
const IDENTITY = { name: 'scrum-apply[bot]', email: 'scrum-apply[bot]@users.noreply.github.com' };
const ref = (branch: string, commitSha = 'a'.repeat(40), expectedRemoteSha: string | null = null): PushRef => ({ branch, commitSha, expectedRemoteSha });

/** Each push's outcome as a value: null when it went, else the error's message. */
const outcome = (promise: Promise<void>) => promise.then(() => null, (error: Error) => error.message);

describe('batched pushes to a real remote', () => {
  let repo: FixtureRepo;
  let ws: Repo | null = null;
  beforeEach(() => {
    repo = createFixtureRepo({ prefix: 'scrum-apply-push-batch-' });
  });
  afterEach(async () => {
    await ws?.dispose();
    ws = null;
    repo.cleanup();
  });

  async function openWithCommits(count: number): Promise<{ ws: Repo; commits: string[] }> {
    ws = await openOn(repo.root, repo.dir);
    const opened = ws;
    const base = await opened.readTrackedFile(SHAPES);
    if (base.type !== 'file') throw new Error(`${SHAPES}: ${base.reason}`);
    const commits = await Promise.all(
      Array.from({ length: count }, (_, n) =>
        opened.commitFile({ path: SHAPES, content: Buffer.concat([base.content, Buffer.from(`// ${n}\n`)]), mode: '100644', message: `change ${n}` }),
      ),
    );
    return { ws: opened, commits };
  }

  const originSha = (branch: string) => git(repo.origin, 'rev-parse', '--verify', '-q', `refs/heads/${branch}`).trim();

  /** Count the `git push` processes `fn` starts. */
  async function countingPushes<T>(fn: () => Promise<T>): Promise<{ result: T; pushes: number }> {
    const spy = createGitSpy(join(repo.root, 'spy'));
    spy.install();
    try {
      const result = await fn();
      const subcommand = (argv: string[]) => argv.find((arg, i) => !arg.startsWith('-') && argv[i - 1] !== '-c');
      return { result, pushes: spy.argv().filter((argv) => subcommand(argv) === 'push').length };
    } finally {
      spy.restore();
    }
  }

  it('concurrent single-ref pushes all land with the right commits', async () => {
    const { ws: opened, commits } = await openWithCommits(3);
    const branches = ['scrum-apply/one', 'scrum-apply/two', 'scrum-apply/three'];
    await Promise.all(branches.map((branch, i) => pushOne(opened, branch, commits[i] ?? '', null)));
    branches.forEach((branch, i) => {
      expect(originSha(branch)).toBe(commits[i]);
      expect(opened.remoteBranches().get(branch)).toBe(commits[i]);
    });
  });

  it('through the batcher, four concurrent pushes go in two git pushes; a stale lease refuses only its own ref', async () => {
    const { ws: opened, commits } = await openWithCommits(4);
    const [c0 = '', c1 = '', c2 = '', c3 = ''] = commits;
    await pushOne(opened, 'scrum-apply/taken', c3, null);
    const before = snapshotRemote(repo.origin);

    const batcher = createPushBatcher((refs) => opened.pushMany(refs));
    const { result, pushes } = await countingPushes(() =>
      Promise.all([
        outcome(batcher.push(ref('scrum-apply/first', c0, null))),
        outcome(batcher.push(ref('scrum-apply/a', c1, null))),
        // Built on c1, but the branch holds c3: someone moved it.
        outcome(batcher.push(ref('scrum-apply/taken', c2, c1))),
        outcome(batcher.push(ref('scrum-apply/b', c2, null))),
      ]),
    );
    expect(result[0]).toBeNull();
    expect(result[1]).toBeNull();
    expect(result[2]).toMatch(/^push to scrum-apply\/taken was rejected: .*stale info/);
    expect(result[2]).not.toContain('\n');
    expect(result[3]).toBeNull();
    expect(pushes).toBe(2);
    expect(originSha('scrum-apply/first')).toBe(c0);
    expect(originSha('scrum-apply/a')).toBe(c1);
    expect(originSha('scrum-apply/b')).toBe(c2);
    expect(originSha('scrum-apply/taken')).toBe(c3);
    expect(snapshotRemote(repo.origin).split('\n').filter((line) => !before.includes(line) && line.length > 0)).toHaveLength(3);
    expect(opened.remoteBranches().get('scrum-apply/taken')).toBe(c3);
  });
});

describe('pushBranches', () => {
  let repo: FixtureRepo;
  let scratch: ScratchRepo;
  let store: ObjectStore;
  let commits: string[];
  beforeEach(async () => {
    repo = createFixtureRepo({ prefix: 'scrum-apply-push-branches-' });
    scratch = await createScratchRepo({ dir: join(repo.root, 'scratch'), objectsDir: join(repo.dir, '.git', 'objects'), objectFormat: 'sha1', shallowFile: null });
    store = createObjectStore({ gitDir: scratch.gitDir, objectFormat: 'sha1' });
    const head = git(repo.dir, 'rev-parse', 'HEAD').trim();
    commits = await Promise.all(
      [1, 2, 3].map((n) => store.commitReplacing({ parent: head, path: SHAPES, content: Buffer.from(`// ${n}\n`), mode: '100644', identity: IDENTITY, message: String(n) })),
    );
  });
  afterEach(() => {
    store.close();
    repo.cleanup();
  });

  it('reports per ref: a ref the remote refuses (update hook) fails alone, an up-to-date ref counts as pushed', async () => {
    const target = { url: repo.origin, auth: null, redact: createRedactor([]) };
    const [c1 = '', c2 = '', c3 = ''] = commits;
    expect(await pushBranches(scratch, target, [ref('scrum-apply/same', c1, null)])).toEqual([null]);
    const hook = join(repo.origin, 'hooks', 'update');
    writeFileSync(hook, '#!/bin/sh\n[ "$1" = refs/heads/scrum-apply/blocked ] && { echo "no bots here" >&2; exit 1; }\nexit 0\n');
    chmodSync(hook, 0o755);
    const reasons = await pushBranches(scratch, target, [
      ref('scrum-apply/one', c1, null),
      ref('scrum-apply/blocked', c2, null),
      ref('scrum-apply/same', c1, c1),
      ref('scrum-apply/three', c3, null),
    ]);
    expect(reasons[0]).toBeNull();
    expect(reasons[1]).toBe('[remote rejected] (hook declined)');
    expect(reasons[2]).toBeNull();
    expect(reasons[3]).toBeNull();
    expect(git(repo.origin, 'rev-parse', 'scrum-apply/one').trim()).toBe(c1);
    expect(git(repo.origin, 'rev-parse', 'scrum-apply/three').trim()).toBe(c3);
    expect(git(repo.origin, 'for-each-ref', 'refs/heads/scrum-apply/blocked')).toBe('');
    expect(await pushBranches(scratch, target, [])).toEqual([]);
  });

  it('a push that cannot start gives every ref the same one-line, redacted reason and changes nothing', async () => {
    const secret = 'hunter2-very-secret-value';
    const target = { url: join(repo.root, secret, 'missing.git'), auth: null, redact: createRedactor([secret]) };
    const before = snapshotRemote(repo.origin);
    const reasons = await pushBranches(scratch, target, [ref('scrum-apply/one', commits[0], null), ref('scrum-apply/two', commits[1], null)]);
    expect(reasons).toHaveLength(2);
    expect(reasons[0]).toBe(reasons[1]);
    expect(reasons[0]).toMatch(/does not appear to be a git repository/);
    expect(reasons[0]).not.toContain(secret);
    expect(reasons[0]).toContain('[REDACTED]');
    expect(reasons[0]).not.toContain('\n');
    expect(snapshotRemote(repo.origin)).toBe(before);
  });
});
