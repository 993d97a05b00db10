import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFixtureRepo, git, type FixtureRepo } from '../helpers/fixture-repo.js';
import { captureLogger, openOn, snapshotUserRepo } from './workspace-fixture.js';

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
      const r = await ws.isBotOnlyBranch(ws.remoteBranches().get('scrum-apply/old') ?? '');
      console.log('LINES', JSON.stringify(cap.lines()), JSON.stringify([...ws.remoteBranches()]));
      expect(r).toBe(true);
      const file = await ws.readTrackedFile(SHAPES);
      if (file.type !== 'file') throw new Error(file.reason);
      const sha = await ws.commitFile({ path: SHAPES, content: Buffer.concat([file.content, Buffer.from('// x\n')]), mode: '100644', message: 'x' });
      await ws.push('scrum-apply/shapes', sha, null);
      await ws.withSlot(async (slot) => expect(git(slot.dir, 'rev-parse', 'HEAD').trim()).toBe(ws.baseSha));
    } finally {
      await ws.dispose();
    }
    expect(git(repo.origin, 'diff', '--name-only', 'main', 'scrum-apply/shapes').trim()).toBe(SHAPES);
    expect(snapshotUserRepo(shallow)).toEqual(before);
    expect(git(shallow, 'rev-list', '--count', 'HEAD').trim()).toBe('1');
  });
});

/** A commit as the bot makes them. */
function execBot(dir: string): void {
  git(dir, '-c', 'user.name=scrum-apply[bot]', '-c', 'user.email=scrum-apply[bot]@users.noreply.github.com', 'commit', '-q', '--allow-empty', '-m', 'bot');
}
