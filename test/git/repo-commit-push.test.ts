import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Repo } from '../../src/git/open-repo.js';
import { createFixtureRepo, git, snapshotRemote, type FixtureRepo } from '../helpers/fixture-repo.js';
import { openOn, pushOne, scratchIn, snapshotUserRepo } from './repo-fixture.js';
import { openRepo } from '../../src/git/open-repo.js';
import { slotsOf } from '../check/slot-fixture.js';

const SHAPES = 'crates/geometry/src/shapes.rs';
const FORMAT = 'crates/report/src/format.rs';
const BOT_EMAIL = 'scrum-apply[bot]@users.noreply.github.com';

let repo: FixtureRepo;
const opened: Repo[] = [];

beforeEach(() => {
  repo = createFixtureRepo({ prefix: 'scrum-apply-ws-commit-', extraFiles: { 'tools/run.sh': '#!/bin/sh\necho hi\n' } });
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((ws) => ws.dispose()));
  repo.cleanup();
});

async function open(extra: Parameters<typeof openOn>[2] = {}): Promise<Repo> {
  const ws = await openOn(repo.root, repo.dir, extra);
  opened.push(ws);
  return ws;
}

/** A blob's exact bytes (the test helper's git decodes text). */
function blob(dir: string, rev: string): Buffer {
  return execFileSync('git', ['cat-file', 'blob', rev], { cwd: dir, env: { PATH: process.env.PATH } });
}

async function patched(ws: Repo, path: string, edit: (text: string) => string): Promise<Buffer> {
  const file = await ws.readTrackedFile(path);
  if (file.type !== 'file') throw new Error(`${path}: ${file.reason}`);
  return Buffer.from(edit(file.content.toString('utf8')), 'utf8');
}

/** Make the maintainer's checkout as messy as real ones are. */
function messUpCheckout(): void {
  repo.write(SHAPES, 'stashed work\n');
  git(repo.dir, 'stash', 'push', '-q', '-m', 'wip');
  repo.write('crates/geometry/src/units.rs', '// staged\n');
  git(repo.dir, 'add', 'crates/geometry/src/units.rs');
  repo.write('crates/geometry/src/lib.rs', '// unstaged\n');
  repo.write('notes.txt', 'untracked\n');
  repo.write('target/debug/junk', 'ignored\n');
}

describe('Repo.commitFile and push', () => {
  it('publishes one bot commit touching only the file, and leaves the checkout and its object store as they were', async () => {
    messUpCheckout();
    const before = snapshotUserRepo(repo.dir);
    const shapesInWorkTree = readFileSync(join(repo.dir, 'crates/geometry/src/lib.rs'));

    const ws = await open();
    const content = await patched(ws, SHAPES, (t) => `${t}// patched\n`);
    const sha = await ws.commitFile({ path: SHAPES, content, mode: '100644', message: 'scrum-apply: fix shapes' });
    expect(ws.remoteBranches().has('scrum-apply/x')).toBe(false);
    await pushOne(ws, 'scrum-apply/crates/geometry/src/shapes.rs', sha, null);
    expect(ws.remoteBranches().get('scrum-apply/crates/geometry/src/shapes.rs')).toBe(sha);
    await ws.dispose();

    const branch = 'scrum-apply/crates/geometry/src/shapes.rs';
    expect(git(repo.origin, 'rev-parse', branch).trim()).toBe(sha);
    expect(git(repo.origin, 'rev-parse', `${branch}^`).trim()).toBe(ws.baseSha);
    expect(git(repo.origin, 'rev-list', '--count', `main..${branch}`).trim()).toBe('1');
    expect(git(repo.origin, 'diff', '--name-only', 'main', branch).trim()).toBe(SHAPES);
    expect(blob(repo.origin, `${branch}:${SHAPES}`).equals(content)).toBe(true);
    expect(git(repo.origin, 'log', '-1', '--format=%an|%ae|%cn|%ce|%s', branch).trim()).toBe(
      `scrum-apply[bot]|${BOT_EMAIL}|scrum-apply[bot]|${BOT_EMAIL}|scrum-apply: fix shapes`,
    );

    expect(snapshotUserRepo(repo.dir)).toEqual(before);
    expect(readFileSync(join(repo.dir, 'crates/geometry/src/lib.rs')).equals(shapesInWorkTree)).toBe(true);
    expect(existsSync(join(repo.dir, '.git', 'worktrees'))).toBe(false);
    expect(git(repo.dir, 'stash', 'list')).toMatch(/wip/);
  });

  it('a dry run (commit, no push) changes neither the remote nor the checkout, and leaves no scratch behind', async () => {
    messUpCheckout();
    const before = snapshotUserRepo(repo.dir);
    const remoteBefore = snapshotRemote(repo.origin);
    const scratchDir = scratchIn(repo.root);
    const ws = await openRepo({ repoDir: repo.dir, scratchDir, branchPrefix: 'scrum-apply/' });
    const content = await patched(ws, SHAPES, (t) => t.replace('pub', 'pub '));
    await ws.commitFile({ path: SHAPES, content, mode: '100644', message: 'm' });
    await slotsOf(ws).withSlot(async () => undefined);
    await ws.dispose();
    expect(existsSync(scratchDir)).toBe(false);
    expect(snapshotRemote(repo.origin)).toBe(remoteBefore);
    expect(snapshotUserRepo(repo.dir)).toEqual(before);
  });

  it('stores CRLF content byte for byte, even where .gitattributes asks for normalisation', async () => {
    repo.write('.gitattributes', '* text=auto\n*.rs text eol=lf\n');
    git(repo.dir, 'add', '.gitattributes');
    git(repo.dir, 'commit', '-q', '-m', 'attributes');
    git(repo.dir, 'push', '-q', 'origin', 'HEAD');
    const ws = await open();
    const original = await ws.readTrackedFile(FORMAT);
    expect(original.type === 'file' && original.content.includes('\r\n')).toBe(true);
    const content = await patched(ws, FORMAT, (t) => t.replace('Formatting of report lines.', 'Formatting of the report lines.'));
    expect(content.includes('\r\n')).toBe(true);
    const sha = await ws.commitFile({ path: FORMAT, content, mode: '100644', message: 'crlf' });
    await pushOne(ws, 'scrum-apply/format', sha, null);
    expect(blob(repo.origin, `scrum-apply/format:${FORMAT}`).equals(content)).toBe(true);
    const diff = await ws.diffForFile(sha, FORMAT);
    expect(diff).toContain(`--- a/${FORMAT}`);
    expect(diff).toContain(`+++ b/${FORMAT}`);
    expect(diff).toContain('-//! Formatting of report lines.\r');
    expect(diff).toContain('+//! Formatting of the report lines.\r');
    expect(diff.split('\n').filter((l) => /^[-+][^-+]/.test(l))).toHaveLength(2);
  });

  it('keeps the executable bit it is given and refuses paths that are not regular tracked files', async () => {
    const ws = await open();
    const content = await patched(ws, 'tools/run.sh', (t) => t.replace('hi', 'hello'));
    const sha = await ws.commitFile({ path: 'tools/run.sh', content, mode: '100755', message: 'x' });
    await pushOne(ws, 'scrum-apply/run', sha, null);
    expect(git(repo.origin, 'ls-tree', 'scrum-apply/run', 'tools/run.sh')).toMatch(/^100755 blob /);
    for (const path of ['untracked.rs', 'crates', '.git/config', '../x']) {
      await expect(ws.commitFile({ path, content, mode: '100644', message: 'x' })).rejects.toThrow(/cannot commit/);
    }
  });

  it('never commits what a worktree holds, only the content given', async () => {
    const ws = await open();
    const content = await patched(ws, SHAPES, (t) => `${t}// validated\n`);
    const sha = await slotsOf(ws).withSlot(async (slot) => {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(slot.dir, SHAPES), 'what the build left\n');
      writeFileSync(join(slot.dir, 'stray.rs'), 'stray\n');
      return ws.commitFile({ path: SHAPES, content, mode: '100644', message: 'x' });
    });
    await pushOne(ws, 'scrum-apply/shapes', sha, null);
    expect(git(repo.origin, 'diff', '--name-only', 'main', 'scrum-apply/shapes').trim()).toBe(SHAPES);
    expect(blob(repo.origin, `scrum-apply/shapes:${SHAPES}`).equals(content)).toBe(true);
  });

  it('force-with-lease: refuses when the remote branch moved, or exists when we expected none', async () => {
    const branch = 'scrum-apply/lease';
    const ws = await open();
    const first = await ws.commitFile({ path: SHAPES, content: await patched(ws, SHAPES, (t) => `${t}// 1\n`), mode: '100644', message: '1' });
    await pushOne(ws, branch, first, null);

    // A person pushes on top of the bot's commit.
    const human = join(repo.root, 'human');
    git(repo.root, 'clone', '-q', '-b', branch, repo.origin, human);
    git(human, 'commit', '-q', '--allow-empty', '-m', 'human edit');
    git(human, 'push', '-q', 'origin', branch);
    const humanTip = git(human, 'rev-parse', 'HEAD').trim();

    const second = await ws.commitFile({ path: SHAPES, content: await patched(ws, SHAPES, (t) => `${t}// 2\n`), mode: '100644', message: '2' });
    const stale = pushOne(ws, branch, second, first);
    await expect(stale).rejects.toThrow(/^push to scrum-apply\/lease was rejected: .*stale info/);
    await expect(pushOne(ws, branch, second, null)).rejects.toThrow(/rejected/);
    const message = await pushOne(ws, branch, second, first).catch((error: Error) => error.message);
    expect(message).not.toContain('\n');
    expect(git(repo.origin, 'rev-parse', branch).trim()).toBe(humanTip);

    // With the right lease it goes through.
    await pushOne(ws, branch, second, humanTip);
    expect(git(repo.origin, 'rev-parse', branch).trim()).toBe(second);
  });
});

describe('Repo.pushMany', () => {
  it('pushes several branches in one git push; a stale lease refuses only its own ref', async () => {
    const ws = await open();
    const commit = async (n: number) => ws.commitFile({ path: SHAPES, content: await patched(ws, SHAPES, (t) => `${t}// ${n}\n`), mode: '100644', message: String(n) });
    const [a, b, c] = [await commit(1), await commit(2), await commit(3)];
    await pushOne(ws, 'scrum-apply/c', c, null);
    const before = git(repo.origin, 'rev-parse', 'scrum-apply/c').trim();

    const reasons = await ws.pushMany([
      { branch: 'scrum-apply/a', commitSha: a, expectedRemoteSha: null },
      { branch: 'scrum-apply/c', commitSha: a, expectedRemoteSha: b },
      { branch: 'scrum-apply/b', commitSha: b, expectedRemoteSha: null },
    ]);
    expect(reasons[0]).toBeNull();
    expect(reasons[1]).toMatch(/stale info/);
    expect(reasons[2]).toBeNull();
    expect(git(repo.origin, 'rev-parse', 'scrum-apply/a').trim()).toBe(a);
    expect(git(repo.origin, 'rev-parse', 'scrum-apply/b').trim()).toBe(b);
    expect(git(repo.origin, 'rev-parse', 'scrum-apply/c').trim()).toBe(before);
    // What was pushed is what the workspace now believes the remote has.
    expect(ws.remoteBranches().get('scrum-apply/a')).toBe(a);
    expect(ws.remoteBranches().get('scrum-apply/c')).toBe(c);
  });
});

describe('the scratch repository under attack', () => {
  it('refuses to push once a check has rewritten the scratch repository config', async () => {
    const scratchDir = scratchIn(repo.root);
    const ws = await openRepo({ repoDir: repo.dir, scratchDir, branchPrefix: 'scrum-apply/' });
    opened.push(ws);
    const sha = await ws.commitFile({ path: SHAPES, content: await patched(ws, SHAPES, (t) => `${t}// x\n`), mode: '100644', message: 'x' });
    await slotsOf(ws).withSlot(async () => {
      // What unsandboxed build code could do to send our token elsewhere.
      appendFileSync(join(scratchDir, 'repo.git', 'config'), `[url "${join(repo.root, 'evil.git')}"]\n\tinsteadOf = ${repo.origin}\n`);
    });
    const remoteBefore = snapshotRemote(repo.origin);
    await expect(pushOne(ws, 'scrum-apply/x', sha, null)).rejects.toThrow(/scratch repository .* was modified/);
    expect(snapshotRemote(repo.origin)).toBe(remoteBefore);
  });
});

describe('Repo.isBotOnlyBranch and sameChange', () => {
  it('is true for the bot’s own branch, also after the base moved, and false once a person committed on it', async () => {
    const branch = 'scrum-apply/crates/geometry/src/shapes.rs';
    const ws1 = await open();
    const sha = await ws1.commitFile({ path: SHAPES, content: await patched(ws1, SHAPES, (t) => `${t}// bot\n`), mode: '100644', message: 'bot' });
    await pushOne(ws1, branch, sha, null);
    await ws1.dispose();

    // The base moves on (a person's commit on main).
    repo.write('crates/geometry/src/units.rs', '// upstream change\n');
    repo.commitAll('upstream');

    const ws2 = await open();
    const remoteSha = ws2.remoteBranches().get(branch);
    expect(remoteSha).toBe(sha);
    expect(await ws2.isBotOnlyBranch(sha)).toBe(true);
    // The base itself counts as nobody's (nothing beyond it).
    expect(await ws2.isBotOnlyBranch(ws2.baseSha)).toBe(true);

    // A person adds a commit on top.
    const human = join(repo.root, 'human');
    git(repo.root, 'clone', '-q', '-b', branch, repo.origin, human);
    git(human, 'commit', '-q', '--allow-empty', '-m', 'human');
    git(human, 'push', '-q', 'origin', branch);
    const ws3 = await open();
    const humanSha = ws3.remoteBranches().get(branch);
    expect(humanSha).toBe(git(human, 'rev-parse', 'HEAD').trim());
    expect(await ws3.isBotOnlyBranch(humanSha ?? '')).toBe(false);
  });

  it('is false when a person authored a commit the bot committed (or the other way round)', async () => {
    const human = join(repo.root, 'human');
    git(repo.root, 'clone', '-q', repo.origin, human);
    git(human, 'checkout', '-q', '-b', 'scrum-apply/mixed');
    execFileSync('git', ['commit', '-q', '--allow-empty', '-m', 'mixed'], {
      cwd: human,
      env: { PATH: process.env.PATH, GIT_AUTHOR_NAME: 'p', GIT_AUTHOR_EMAIL: 'p@example.com', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: BOT_EMAIL, GIT_CONFIG_GLOBAL: '/dev/null' },
    });
    git(human, 'push', '-q', 'origin', 'scrum-apply/mixed');
    const ws2 = await open();
    const sha = ws2.remoteBranches().get('scrum-apply/mixed');
    expect(sha).toBeDefined();
    expect(await ws2.isBotOnlyBranch(sha ?? '')).toBe(false);
  });

  it('sameChange: true for the same tree on the same base, false for other content', async () => {
    const ws = await open();
    const content = await patched(ws, SHAPES, (t) => `${t}// same\n`);
    const a = await ws.commitFile({ path: SHAPES, content, mode: '100644', message: 'a' });
    const b = await ws.commitFile({ path: SHAPES, content, mode: '100644', message: 'b (another run)' });
    const c = await ws.commitFile({ path: SHAPES, content: Buffer.concat([content, Buffer.from('// more\n')]), mode: '100644', message: 'c' });
    expect(a).not.toBe(b);
    expect(await ws.sameChange(a, b)).toBe(true);
    expect(await ws.sameChange(a, c)).toBe(false);
    expect(await ws.sameChange(ws.baseSha, a)).toBe(false);
  });
});
