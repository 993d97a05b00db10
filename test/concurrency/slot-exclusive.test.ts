import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/pipeline/run-types.js';
import { createRig, GREEN, type Rig } from './concurrency-rig.js';

/**
 * Every check (the warm-ups included) runs through a script that logs when it starts and
 * ends, in which directory, with which CARGO_TARGET_DIR and on which patched file (`-` for a
 * warm-up), around the real `cargo check`.
 * The check command is split on spaces and run without a shell, as configured. The sandbox
 * is off so the script can write its log outside the target dir.
 */
const RECORDER = `#!/bin/sh
log="$1"
shift
patched=$(git status --porcelain | sed -n 's/^ M //p')
echo "start $(date +%s%N) $PWD $CARGO_TARGET_DIR \${patched:--}" >> "$log"
"$@"
status=$?
echo "end $(date +%s%N) $PWD $CARGO_TARGET_DIR" >> "$log"
exit $status
`;

interface Event {
  kind: 'start' | 'end';
  at: bigint;
  dir: string;
  target: string;
  /** Start events: the file the check is about, `-` for a warm-up. */
  file?: string;
}

let rig: Rig;
let report: RunReport;
let events: Event[];
let scratch: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'scrum-apply-recorder-'));
  const script = join(scratch, 'record-check.sh');
  const logPath = join(scratch, 'checks.log');
  writeFileSync(script, RECORDER);
  chmodSync(script, 0o755);
  writeFileSync(logPath, '');
  rig = await createRig({
    crates: 2,
    modules: 4,
    config: { maxFiles: 8, maxOpenPrs: 20, check: { command: `${script} ${logPath} cargo check --workspace`, sandbox: 'none' } },
    answer: () => ({ content: GREEN, delayMs: 300 }),
    // 8 files at --concurrency 4: two rounds of four answers each.
    answerInRoundsOf: 4,
  });
  report = await rig.run(4);
  events = readFileSync(logPath, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [kind, at, dir, target, file] = line.split(' ');
      if ((kind !== 'start' && kind !== 'end') || !at || !dir || !target) throw new Error(`bad log line: ${line}`);
      return { kind, at: BigInt(at), dir, target, ...(file ? { file } : {}) };
    });
}, 240_000);

afterAll(async () => {
  await rig?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** For each key, the events in time order must go start, end, start, end… */
function assertExclusive(key: (e: Event) => string): void {
  const groups = new Map<string, Event[]>();
  for (const event of events) groups.set(key(event), [...(groups.get(key(event)) ?? []), event]);
  for (const [name, group] of groups) {
    const kinds = [...group].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).map((e) => e.kind);
    expect(kinds, name).toEqual(kinds.map((_, i) => (i % 2 === 0 ? 'start' : 'end')));
  }
}

describe('checks on worktree slots, at --concurrency 4 with 2 slots', () => {
  it('all files went green and were published', () => {
    expect(report.results.map((r) => r.action)).toEqual(Array(8).fill('pr_opened'));
    expect(rig.maxInFlight()).toBe(4);
  });

  it('ran every check (2 warm-ups + 8 files) in one of two worktrees, each with its own target dir', () => {
    expect(events.filter((e) => e.kind === 'start')).toHaveLength(10);
    const dirs = new Set(events.map((e) => e.dir));
    const targets = new Set(events.map((e) => e.target));
    expect(dirs.size).toBe(2);
    expect(targets.size).toBe(2);
    // A worktree always comes with the same target dir.
    expect(new Set(events.map((e) => `${e.dir} ${e.target}`)).size).toBe(2);
  });

  it('never ran two checks in the same worktree or on the same target dir at once', () => {
    assertExclusive((e) => e.dir);
    assertExclusive((e) => e.target);
  });

  it('did run checks in the two slots at the same time', () => {
    let running = 0;
    let most = 0;
    for (const event of [...events].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))) {
      running += event.kind === 'start' ? 1 : -1;
      most = Math.max(most, running);
    }
    expect(most).toBe(2);
  });

  it('asks the model in rounds that feed both slots, and starts each crate in a slot of its own', () => {
    // 2 crates × 4 modules on 2 slots, 4 requests at once: two files of each crate per round
    // (the four of a round are sent together; which arrives first is the network's business).
    const rounds = [rig.asked().slice(0, 4).sort(), rig.asked().slice(4).sort()];
    expect(rounds).toEqual([
      ['crates/alpha/src/m0.rs', 'crates/alpha/src/m1.rs', 'crates/bravo/src/m0.rs', 'crates/bravo/src/m1.rs'],
      ['crates/alpha/src/m2.rs', 'crates/alpha/src/m3.rs', 'crates/bravo/src/m2.rs', 'crates/bravo/src/m3.rs'],
    ]);
    const firstDir = (crate: string) => events.find((e) => e.kind === 'start' && e.file?.startsWith(`crates/${crate}/`))?.dir;
    expect(firstDir('alpha')).toBeDefined();
    expect(firstDir('bravo')).toBeDefined();
    expect(firstDir('alpha')).not.toBe(firstDir('bravo'));
  });
});
