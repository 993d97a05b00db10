import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/run-check.js';
import { processesMatching, tempRoot, waitFor, writeBuildScriptCrate } from './check-crates.js';

/**
 * Unarmed, the build script does nothing (a first run compiles it). Armed by `arm.txt`
 * (`MARKER [setsid]`) it starts background shells whose command lines carry the marker —
 * one in a new session (escaping the process group) when asked — and then sleeps.
 */
const LINGERING_BUILD_RS = `use std::{fs, path::Path, process::Command, thread, time::Duration};

fn main() {
    println!("cargo:rerun-if-changed=arm.txt");
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap();
    let Ok(arm) = fs::read_to_string(Path::new(&dir).join("arm.txt")) else { return };
    let mut words = arm.split_whitespace();
    let marker = words.next().unwrap().to_string();
    let loop_forever = "while :; do sleep 1; done";
    if words.next() == Some("setsid") {
        Command::new("setsid").args(["sh", "-c", loop_forever, &format!("{}-session", marker)]).spawn().unwrap();
    }
    Command::new("sh").args(["-c", loop_forever, &format!("{}-group", marker)]).spawn().unwrap();
    thread::sleep(Duration::from_secs(1000));
}
`;

const TIMEOUT_MS = 5_000;
const markers: string[] = [];
const cleanups: Array<() => void> = [];
afterEach(() => {
  // Whatever the outcome, end the processes this test started (by pid).
  for (const marker of markers.splice(0)) {
    for (const line of processesMatching(marker)) {
      const pid = Number(line.split(' ')[0]);
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function lingeringCheck(sandbox: 'bwrap' | 'none', setsid: boolean) {
  const { root, cleanup } = tempRoot('scrum-apply-timeout-');
  cleanups.push(cleanup);
  const crate = writeBuildScriptCrate(join(root, 'repo'), 'lingering', LINGERING_BUILD_RS);
  const targetDir = join(root, 'target');
  const warmUp = await runCheck({ command: 'cargo check', cwd: crate, targetDir, timeoutMs: 120_000, sandbox });
  expect(warmUp.green).toBe(true);

  const marker = `scrum-apply-linger-${process.pid}-${Date.now()}`;
  markers.push(marker);
  writeFileSync(join(crate, 'arm.txt'), `${marker}${setsid ? ' setsid' : ''}\n`);
  const running = runCheck({ command: 'cargo check', cwd: crate, targetDir, timeoutMs: TIMEOUT_MS, sandbox });
  const expected = setsid ? 2 : 1;
  const sawThemAlive = await waitFor(() => processesMatching(marker).length === expected, TIMEOUT_MS);
  const result = await running;
  return { result, marker, sawThemAlive };
}

describe('the time limit', () => {
  it('with bwrap, kills the whole tree, including a grandchild that left the process group with setsid', async () => {
    const { result, marker, sawThemAlive } = await lingeringCheck('bwrap', true);
    expect(sawThemAlive, 'both background shells were running before the time limit').toBe(true);
    expect(result).toMatchObject({ timedOut: true, exitCode: null, green: false, sandboxed: true });
    expect(result.durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(result.durationMs).toBeLessThan(TIMEOUT_MS + 3_000);
    expect(result.output).toContain('timed out after 5 s');
    // SIGKILL is immediate, reaping is not: allow the kernel a moment, then nothing may be left.
    expect(await waitFor(() => processesMatching(marker).length === 0, 1_000)).toBe(true);
  });

  it('without a sandbox, kills the whole process group', async () => {
    const { result, marker, sawThemAlive } = await lingeringCheck('none', false);
    expect(sawThemAlive, 'the background shell was running before the time limit').toBe(true);
    expect(result).toMatchObject({ timedOut: true, exitCode: null, green: false, sandboxed: false });
    expect(result.durationMs).toBeLessThan(TIMEOUT_MS + 3_000);
    expect(await waitFor(() => processesMatching(marker).length === 0, 1_000)).toBe(true);
  });
});

describe('cancelling', () => {
  it.each(['bwrap', 'none'] as const)('kills the check when the signal aborts (sandbox %s)', async (sandbox) => {
    const { root, cleanup } = tempRoot('scrum-apply-abort-');
    cleanups.push(cleanup);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await runCheck({ command: 'sleep 30', cwd: root, targetDir: join(root, 'target'), timeoutMs: 60_000, sandbox, signal: controller.signal });
    expect(result).toMatchObject({ exitCode: null, timedOut: false, green: false });
    expect(result.output).toContain('the check was cancelled');
    expect(result.durationMs).toBeLessThan(5_000);
  });
});
