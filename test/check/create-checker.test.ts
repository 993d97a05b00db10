import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChecker, detectSandbox, type Checker } from '../../src/check/create-checker.js';
import { CheckConfig } from '../../src/config/config-schema.js';
import type { Repo } from '../../src/git/open-repo.js';
import { createFixtureRepo, type FixtureRepo } from '../helpers/fixture-repo.js';
import { openOn } from '../git/repo-fixture.js';

const SHAPES = 'crates/geometry/src/shapes.rs';
const UNITS = 'crates/geometry/src/units.rs';
const FORMAT = 'crates/report/src/format.rs';

let repo: FixtureRepo;
let ws: Repo;
let checker: Checker;
const events: string[] = [];

beforeAll(async () => {
  repo = createFixtureRepo({ prefix: 'scrum-apply-checker-' });
  ws = await openOn(repo.root, repo.dir);
  const sandbox = await detectSandbox('auto');
  checker = createChecker({
    config: CheckConfig.parse({ command: 'cargo check --workspace --offline', sandbox: 'auto' }),
    sandbox: sandbox.kind,
    tree: { scratch: ws.scratch, baseSha: ws.baseSha, root: join(repo.root, 'slots'), packageDirOf: (path) => ws.packageDirOf(path) },
    slots: 2,
    logger: pino({ level: 'silent' }),
    events: { started: (id) => events.push(`start ${id}`), ended: (id) => events.push(`end ${id}`) },
  });
});

afterAll(async () => {
  await checker.close();
  await ws.dispose();
  repo.cleanup();
});

async function original(path: string): Promise<Buffer> {
  const tracked = await ws.readTrackedFile(path);
  if (tracked.type === 'rejected') throw new Error(tracked.reason);
  return tracked.content;
}

describe('createChecker', () => {
  it('orders files so that each worktree gets its share of every round', async () => {
    // Two packages, two slots: the model is asked for one file of each package per round.
    const order = await checker.order([SHAPES, UNITS, FORMAT], 2);
    expect(order).toHaveLength(3);
    expect(new Set(order)).toEqual(new Set([0, 1, 2]));
    expect(order.slice(0, 2).sort()).toEqual([0, 2]);
  });

  it('checks the base with one file patched: green for a good patch, red with the compiler output for a bad one', async () => {
    const base = await original(SHAPES);
    const good = Buffer.from(`${base.toString('utf8')}\n// checked by the test\n`);
    const bad = Buffer.from(`${base.toString('utf8')}\nfn broken() -> u32 { "not a number" }\n`);
    const [green, red] = await Promise.all([
      checker.check({ id: 1, path: SHAPES, patched: good, original: base }),
      checker.check({ id: 2, path: SHAPES, patched: bad, original: base }),
    ]);
    expect(green.result.green).toBe(true);
    expect(green.span.endMs).toBeGreaterThanOrEqual(green.span.startMs);
    expect(red.result.green).toBe(false);
    expect(red.result.exitCode).not.toBe(0);
    expect(red.result.output).toMatch(/mismatched types|E0308/);
    // Each check told when it started and ended, the first before the second in its slot.
    expect(events.filter((e) => e.endsWith(' 1'))).toEqual(['start 1', 'end 1']);
    expect(events.filter((e) => e.endsWith(' 2'))).toEqual(['start 2', 'end 2']);
  });

  it('refuses new checks once closed', async () => {
    const local = createChecker({
      config: CheckConfig.parse({ command: 'true', sandbox: 'none' }),
      sandbox: 'none',
      tree: { scratch: ws.scratch, baseSha: ws.baseSha, root: join(repo.root, 'closed-slots'), packageDirOf: async () => null },
      slots: 1,
      logger: pino({ level: 'silent' }),
    });
    const base = await original(UNITS);
    expect((await local.check({ id: 1, path: UNITS, patched: base, original: base })).result.green).toBe(true);
    await local.close();
    await expect(local.check({ id: 2, path: UNITS, patched: base, original: base })).rejects.toThrow(/checker is closed/);
  });
});
