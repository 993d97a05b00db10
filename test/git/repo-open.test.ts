import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRepo } from '../../src/git/open-repo.js';
import { createFixtureRepo, git, type FixtureRepo } from '../helpers/fixture-repo.js';
import { captureLogger, openOn, pushOne, scratchIn, snapshotUserRepo } from './repo-fixture.js';
import { slotsOf } from '../check/slot-fixture.js';

let repo: FixtureRepo;

beforeEach(() => {
  repo = createFixtureRepo({ prefix: 'scrum-apply-ws-open-' });
});
afterEach(() => repo.cleanup());

/** A second person's clone that pushes to origin. */
function otherClone(): string {
  const dir = join(repo.root, `other-${Date.now()}-${Math.random().toString(16).slice(2)}`);
  git(repo.root, 'clone', '-q', repo.origin, dir);
  return dir;
}

describe('openRepo: the repository', () => {
  it('refuses a directory that is not a git repository, naming it', async () => {
    const plain = mkdtempSync(join(tmpdir(), 'scrum-apply-plain-'));
    const scratchDir = scratchIn(repo.root);
    await expect(openRepo({ repoDir: plain, scratchDir, branchPrefix: 'scrum-apply/' })).rejects.toThrow(
      `not a git repository: ${plain}`,
    );
    expect(existsSync(scratchDir)).toBe(false);
    rmSync(plain, { recursive: true });
    await expect(
      openRepo({ repoDir: join(plain, 'missing'), scratchDir: scratchIn(repo.root), branchPrefix: 'scrum-apply/' }),
    ).rejects.toThrow(/not a git repository: .*missing/);
  });

  it('refuses a bare repository (no work tree)', async () => {
    await expect(openOn(repo.root, repo.origin)).rejects.toThrow(/not a git repository: .*origin\.git \(not a work tree\)/);
  });

  it('refuses a branch prefix that is not a clean ref fragment', async () => {
    for (const prefix of ['', 'bad prefix/', 'x..y/', '-x/', 'a*/']) {
      await expect(openOn(repo.root, repo.dir, { branchPrefix: prefix })).rejects.toThrow(/invalid branch prefix/);
    }
  });

  it('removes its scratch directory when opening fails', async () => {
    const scratchDir = scratchIn(repo.root);
    await expect(
      openRepo({ repoDir: repo.dir, scratchDir, branchPrefix: 'scrum-apply/', base: 'no-such-branch' }),
    ).rejects.toThrow('base branch not found: no-such-branch');
    expect(existsSync(scratchDir)).toBe(false);
  });
});

describe('openRepo: the base', () => {
  it('uses the remote default branch and its tip, not the local branch or stale tracking refs', async () => {
    // The user has an unpushed commit...
    repo.write('local.txt', 'local\n');
    git(repo.dir, 'add', 'local.txt');
    git(repo.dir, 'commit', '-q', '-m', 'local only');
    // ...and someone else moved origin/main since the user last fetched.
    const other = otherClone();
    git(other, 'commit', '-q', '--allow-empty', '-m', 'upstream');
    git(other, 'push', '-q', 'origin', 'main');
    const upstream = git(other, 'rev-parse', 'HEAD').trim();

    const before = snapshotUserRepo(repo.dir);
    const ws = await openOn(repo.root, repo.dir);
    try {
      expect(ws.baseBranch).toBe('main');
      expect(ws.baseSha).toBe(upstream);
    } finally {
      await ws.dispose();
    }
    // The fetched objects went to the scratch repository, not the user's.
    expect(snapshotUserRepo(repo.dir)).toEqual(before);
  });

  it("follows origin's HEAD when it names another branch", async () => {
    const other = otherClone();
    git(other, 'checkout', '-q', '-b', 'develop');
    git(other, 'commit', '-q', '--allow-empty', '-m', 'develop');
    git(other, 'push', '-q', 'origin', 'develop');
    git(repo.origin, 'symbolic-ref', 'HEAD', 'refs/heads/develop');
    const ws = await openOn(repo.root, repo.dir);
    try {
      expect(ws.baseBranch).toBe('develop');
      expect(ws.baseSha).toBe(git(other, 'rev-parse', 'HEAD').trim());
    } finally {
      await ws.dispose();
    }
  });

  it('takes an explicit base (also as refs/heads/…) over the default', async () => {
    const other = otherClone();
    git(other, 'checkout', '-q', '-b', 'release');
    git(other, 'commit', '-q', '--allow-empty', '-m', 'release');
    git(other, 'push', '-q', 'origin', 'release');
    const tip = git(other, 'rev-parse', 'HEAD').trim();
    for (const base of ['release', 'refs/heads/release']) {
      const ws = await openOn(repo.root, repo.dir, { base });
      try {
        expect(ws.baseBranch).toBe('release');
        expect(ws.baseSha).toBe(tip);
      } finally {
        await ws.dispose();
      }
    }
  });

  it('falls back to the local branch when the base is not on the remote', async () => {
    git(repo.dir, 'branch', 'local-base');
    const { logger, lines } = captureLogger();
    const ws = await openOn(repo.root, repo.dir, { base: 'local-base', logger });
    try {
      expect(ws.baseSha).toBe(git(repo.dir, 'rev-parse', 'local-base').trim());
      expect(lines().some((l) => l.msg === 'the base branch is not on the remote; using the local branch')).toBe(true);
    } finally {
      await ws.dispose();
    }
  });

  it('without a remote: the current branch, and pushing is a clear error', async () => {
    git(repo.dir, 'checkout', '-q', '-b', 'topic');
    git(repo.dir, 'commit', '-q', '--allow-empty', '-m', 'topic');
    git(repo.dir, 'remote', 'remove', 'origin');
    const ws = await openOn(repo.root, repo.dir);
    try {
      expect(ws.baseBranch).toBe('topic');
      expect(ws.baseSha).toBe(git(repo.dir, 'rev-parse', 'HEAD').trim());
      expect(ws.remoteBranches().size).toBe(0);
      await expect(pushOne(ws, 'scrum-apply/x', ws.baseSha, null)).rejects.toThrow(/has no remote named origin/);
    } finally {
      await ws.dispose();
    }
  });

  it('offline (unreachable remote): warns and uses local refs, including last-known bot branches', async () => {
    git(repo.dir, 'push', '-q', 'origin', 'HEAD:refs/heads/scrum-apply/a.rs');
    git(repo.dir, 'fetch', '-q', 'origin');
    git(repo.dir, 'remote', 'set-url', 'origin', join(repo.root, 'gone.git'));
    const { logger, lines } = captureLogger();
    const ws = await openOn(repo.root, repo.dir, { logger });
    try {
      expect(ws.baseBranch).toBe('main');
      expect(ws.baseSha).toBe(git(repo.dir, 'rev-parse', 'main').trim());
      expect([...ws.remoteBranches().keys()]).toEqual(['scrum-apply/a.rs']);
      const warning = lines().find((l) => l.level === 40);
      expect(warning?.msg).toBe('cannot reach the remote; using local refs');
    } finally {
      await ws.dispose();
    }
  });

  it('a detached HEAD without a remote default is a clear error', async () => {
    git(repo.dir, 'checkout', '-q', '--detach');
    git(repo.dir, 'remote', 'remove', 'origin');
    await expect(openOn(repo.root, repo.dir)).rejects.toThrow(/HEAD is detached .* pass --base/);
  });

  it('an invalid or unknown base is a clear error', async () => {
    await expect(openOn(repo.root, repo.dir, { base: 'no..pe' })).rejects.toThrow('invalid base branch: "no..pe"');
    await expect(openOn(repo.root, repo.dir, { base: 'nope' })).rejects.toThrow(
      `base branch not found: nope (not on origin, and not a local branch of ${repo.dir})`,
    );
  });

  it('a base found nowhere says where it was looked for: no remote, or one that cannot be reached', async () => {
    git(repo.dir, 'remote', 'set-url', 'origin', join(repo.root, 'gone.git'));
    await expect(openOn(repo.root, repo.dir, { base: 'nope' })).rejects.toThrow(
      `base branch not found: nope (origin could not be reached, and not a local branch of ${repo.dir})`,
    );
    git(repo.dir, 'remote', 'remove', 'origin');
    const error: unknown = await openOn(repo.root, repo.dir, { base: 'nope' }).catch((e: unknown) => e);
    expect(String(error)).toContain(`base branch not found: nope (there is no remote "origin", and not a local branch of ${repo.dir})`);
    expect(String(error)).not.toMatch(/unreachable/);
  });

  it('lists the bot branches on the remote (and only those)', async () => {
    const other = otherClone();
    git(other, 'push', '-q', 'origin', 'HEAD:refs/heads/scrum-apply/src/a.rs', 'HEAD:refs/heads/scrum-apply/b.rs', 'HEAD:refs/heads/feature');
    const before = snapshotUserRepo(repo.dir);
    const ws = await openOn(repo.root, repo.dir);
    try {
      const head = git(repo.dir, 'rev-parse', 'HEAD').trim();
      expect(Object.fromEntries(ws.remoteBranches())).toEqual({ 'scrum-apply/src/a.rs': head, 'scrum-apply/b.rs': head });
      // A copy: callers cannot change the workspace's view.
      ws.remoteBranches().clear();
      expect(ws.remoteBranches().size).toBe(2);
    } finally {
      await ws.dispose();
    }
    // Nothing fetched into the user's repository.
    expect(git(repo.dir, 'for-each-ref', 'refs/remotes/origin/scrum-apply/')).toBe('');
    expect(snapshotUserRepo(repo.dir)).toEqual(before);
  });

  it('dispose leaves nothing behind', async () => {
    const scratchDir = scratchIn(repo.root);
    const ws = await openRepo({ repoDir: repo.dir, scratchDir, branchPrefix: 'scrum-apply/' });
    await slotsOf(ws).withSlot(async () => undefined);
    expect(readdirSync(scratchDir).sort()).toEqual(['repo.git', 'slots']);
    await ws.dispose();
    expect(existsSync(scratchDir)).toBe(false);
  });
});
