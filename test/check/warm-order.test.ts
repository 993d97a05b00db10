import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createChecker, type Checker, type WarmStrategy } from '../../src/check/create-checker.js';
import { CheckConfig } from '../../src/config/config-schema.js';
import type { Repo } from '../../src/git/open-repo.js';
import { createFixtureRepo, type FixtureRepo } from '../helpers/fixture-repo.js';
import { openOn } from '../git/repo-fixture.js';
import { waitFor } from './check-crates.js';

/**
 * A check the test drives: it says which file it checks (the content of `turn.txt`, which
 * each check patches) by leaving `running-<turn>` in its target dir, then waits until the test
 * leaves `finish-<turn>` beside it. The order of starts and which checks run at once are then
 * decided by the checker alone, never by how long anything takes.
 */
const CHECK_SCRIPT = `#!/bin/sh
turn=$(cat turn.txt)
touch "$CARGO_TARGET_DIR/running-$turn"
while [ ! -e "$CARGO_TARGET_DIR/finish-$turn" ]; do sleep 0.05; done
`;

let repo: FixtureRepo;
let ws: Repo;
let checker: Checker | null = null;
beforeEach(async () => {
  repo = createFixtureRepo({ prefix: 'scrum-apply-warm-order-', extraFiles: { 'ci/check.sh': CHECK_SCRIPT, 'turn.txt': 'base' } });
  ws = await openOn(repo.root, repo.dir);
});
afterEach(async () => {
  // A failed test leaves checks waiting: let every one finish, then close.
  for (const dir of targetDirs()) for (const turn of ['base', '1', '2', '3', '4']) writeFileSync(join(dir, `finish-${turn}`), '');
  await checker?.close();
  await ws.dispose();
  repo.cleanup();
});

const slotsRoot = () => join(repo.root, 'slots');
/** Every target dir the slots may use (one each, or one shared). */
function targetDirs(): string[] {
  if (!existsSync(slotsRoot())) return [];
  return readdirSync(slotsRoot()).flatMap((name) => [join(slotsRoot(), name, 'target'), join(slotsRoot(), name)]).filter((dir) => existsSync(dir) && /target$/.test(dir));
}
const running = (turn: string) => targetDirs().some((dir) => existsSync(join(dir, `running-${turn}`)));
function finish(turn: string): void {
  for (const dir of targetDirs()) if (existsSync(join(dir, `running-${turn}`))) writeFileSync(join(dir, `finish-${turn}`), '');
}

describe.each<WarmStrategy>(['copy', 'share'])('the warm-up (%s) in the sandbox, with a model that answers at once', (strategy) => {
  it('builds the base before any check, then the first file asked is checked first and both slots check at once while answers wait', async () => {
    const events: string[] = [];
    checker = createChecker({
      config: CheckConfig.parse({ command: 'sh ci/check.sh', sandbox: 'bwrap' }),
      sandbox: 'bwrap',
      tree: { scratch: ws.scratch, baseSha: ws.baseSha, root: slotsRoot(), packageDirOf: async () => null },
      slots: 2,
      warmUp: strategy,
      logger: pino({ level: 'silent' }),
      events: { started: (id) => events.push(`start ${id}`), ended: (id) => events.push(`end ${id}`) },
    });
    checker.warm(4);
    // Four answers at once, in the order the model was asked.
    const checks = [1, 2, 3, 4].map((id) => checker?.check({ id, path: 'turn.txt', patched: Buffer.from(String(id)), original: Buffer.from('base') }));

    expect(await waitFor(() => running('base'), 60_000)).toBe(true);
    // The warm build holds no answer hostage: none started in another slot, none queued ahead of it.
    expect(events).toEqual([]);
    finish('base');

    // Both slots busy with the first two answers while neither has finished: no slot idle while an answer waits.
    expect(await waitFor(() => running('1') && running('2'), 60_000)).toBe(true);
    expect(events).toEqual(['start 1', 'start 2']);
    finish('2');
    expect(await waitFor(() => running('3'), 60_000)).toBe(true);
    finish('1');
    expect(await waitFor(() => running('4'), 60_000)).toBe(true);
    finish('3');
    finish('4');
    const results = await Promise.all(checks);
    for (const checked of results) expect(checked?.result.green).toBe(true);
    expect(events.filter((e) => e.startsWith('start'))).toEqual(['start 1', 'start 2', 'start 3', 'start 4']);
  }, 180_000);
});
