import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChecker, detectSandbox, type Checker } from '../../src/check/create-checker.js';
import { CheckConfig } from '../../src/config/config-schema.js';
import type { Repo } from '../../src/git/open-repo.js';
import { createFixtureRepo, type FixtureRepo } from '../helpers/fixture-repo.js';
import { openOn } from '../git/repo-fixture.js';

const SHAPES = 'crates/geometry/src/shapes.rs';

let repo: FixtureRepo;
let ws: Repo;
let checker: Checker;
let base: string;

beforeAll(async () => {
  repo = createFixtureRepo({ prefix: 'scrum-apply-new-warnings-' });
  // The base already warns: a function nobody calls.
  base = `${readFileSync(join(repo.dir, SHAPES), 'utf8')}\nfn old_unused() {}\n`;
  repo.write(SHAPES, base);
  repo.commitAll('a warning on the base');
  ws = await openOn(repo.root, repo.dir);
  const sandbox = await detectSandbox('auto');
  checker = createChecker({
    config: CheckConfig.parse({ command: 'cargo check --workspace --offline', sandbox: 'auto' }),
    sandbox: sandbox.kind,
    tree: { scratch: ws.scratch, baseSha: ws.baseSha, root: join(repo.root, 'slots'), packageDirOf: (path) => ws.packageDirOf(path) },
    slots: 2,
    logger: pino({ level: 'silent' }),
  });
});

afterAll(async () => {
  await checker.close();
  await ws.dispose();
  repo.cleanup();
});

describe('the warnings a patch introduced', () => {
  it("are the patched check's warnings less the base's, matched whatever line the patch moved them to", async () => {
    checker.warm(1);
    // Two lines added above the base's warning (it moves), and a second function nobody calls.
    const patched = Buffer.from(`//! Shapes.\n//!\n${base}fn new_unused() {}\n`);
    const checked = await checker.check({ id: 1, path: SHAPES, patched, original: Buffer.from(base) });
    expect(checked.result.green).toBe(true);
    // Both warnings are in the check's output (cargo prints them all)…
    expect(checked.result.diagnostics?.warnings.map((w) => w.message)).toEqual(expect.arrayContaining(['function `old_unused` is never used', 'function `new_unused` is never used']));
    // …and only the new one is the patch's.
    expect(checked.newWarnings?.map((w) => [w.code, w.message, w.file])).toEqual([['dead_code', 'function `new_unused` is never used', SHAPES]]);
  }, 300_000);

  it('are not known without the warm build of the base', async () => {
    const cold = createChecker({
      config: CheckConfig.parse({ command: 'cargo check --workspace --offline', sandbox: 'none' }),
      sandbox: 'none',
      tree: { scratch: ws.scratch, baseSha: ws.baseSha, root: join(repo.root, 'cold-slots'), packageDirOf: async () => null },
      slots: 1,
      logger: pino({ level: 'silent' }),
    });
    try {
      const checked = await cold.check({ id: 2, path: SHAPES, patched: Buffer.from(`${base}fn new_unused() {}\n`), original: Buffer.from(base) });
      expect(checked.result.green).toBe(true);
      expect(checked.newWarnings).toBeNull();
    } finally {
      await cold.close();
    }
  }, 300_000);
});
