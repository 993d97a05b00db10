import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFixtureRepo, git, type FixtureRepo } from '../helpers/fixture-repo.js';
import { captureLogger, openOn, pushOne, snapshotUserRepo } from './repo-fixture.js';
import { slotsOf } from '../check/slot-fixture.js';

const SHAPES = 'crates/geometry/src/shapes.rs';

let repo: FixtureRepo;
let shallow: string;

beforeEach(() => {
  repo = createFixtureRepo({ prefix: 'scrum-apply-ws-shallow-' });
  for (const n of [1, 2, 3]) {
    repo.write('crates/geometry/src/units.rs', `// history ${n}\n`);
    repo.commitAll(`history ${n}`);
  }
  // What actions/checkout does by default: one commit of history.
  shallow = join(repo.root, 'shallow');
  git(repo.root, 'clone', '-q', '--depth', '1', `file://${repo.origin}`, shallow);
});
afterEach(() => repo.cleanup());

describe('a shallow checkout (CI)', () => {
  it('commits, pushes and checks branch history without deepening the clone', async () => {
    // An older bot branch built on a base the shallow clone never saw.
    const old = join(repo.root, 'old');
    git(repo.root, 'clone', '-q', repo.origin, old);
    git(old, 'checkout', '-q', '-b', 'scrum-apply/old', 'HEAD~2');
    execBot(old);
    git(old, 'push', '-q', 'origin', 'scrum-apply/old');

    const before = snapshotUserRepo(shallow);
    const cap = captureLogger();
    const ws = await openOn(repo.root, shallow, { logger: cap.logger });

    try {
      expect(ws.baseSha).toBe(git(repo.origin, 'rev-parse', 'main').trim());
      expect(await ws.isBotOnlyBranch(ws.remoteBranches().get('scrum-apply/old') ?? '')).toBe(true);
      // It took the full base history (into the scratch repository) to tell.
      expect(cap.lines().some((l) => l.msg === 'fetching the full base history to check a branch (shallow clone)')).toBe(true);
      const file = await ws.readTrackedFile(SHAPES);
      if (file.type !== 'file') throw new Error(file.reason);
      const sha = await ws.commitFile({ path: SHAPES, content: Buffer.concat([file.content, Buffer.from('// x\n')]), mode: '100644', message: 'x' });
      await pushOne(ws, 'scrum-apply/shapes', sha, null);
      await slotsOf(ws).withSlot(async (slot) => expect(git(slot.dir, 'rev-parse', 'HEAD').trim()).toBe(ws.baseSha));
    } finally {
      await ws.dispose();
    }
    expect(git(repo.origin, 'diff', '--name-only', 'main', 'scrum-apply/shapes').trim()).toBe(SHAPES);
    expect(snapshotUserRepo(shallow)).toEqual(before);
    expect(git(shallow, 'rev-list', '--count', 'HEAD').trim()).toBe('1');
  });
});

/** A commit with the bot's identity. */
function execBot(dir: string): void {
  const bot = { name: 'scrum-apply[bot]', email: 'scrum-apply[bot]@users.noreply.github.com' };
  execFileSync('git', ['commit', '-q', '--allow-empty', '-m', 'bot'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: bot.name,
      GIT_AUTHOR_EMAIL: bot.email,
      GIT_COMMITTER_NAME: bot.name,
      GIT_COMMITTER_EMAIL: bot.email,
    },
  });
}
