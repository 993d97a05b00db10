import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
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
/** Bounds for a failing test only (each wait returns as soon as its event happens). */
const PATIENCE_MS = 120_000;
const markers: string[] = [];
const cleanups: Array<() => void> = [];
afterEach(() => {
  vi.useRealTimers();
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

/**
 * The armed check under a fake clock: the time limit fires when the test says so — once the
 * build script's background shells are running, however long a loaded machine took to start
 * cargo — so what is tested is what the limit kills, not how fast cargo starts.
 */
async function lingeringCheck(sandbox: 'bwrap' | 'none', setsid: boolean) {
  const { root, cleanup } = tempRoot('scrum-apply-timeout-');
  cleanups.push(cleanup);
  const crate = writeBuildScriptCrate(join(root, 'repo'), 'lingering', LINGERING_BUILD_RS);
  const targetDir = join(root, 'target');
  const warmUp = await runCheck({ command: 'cargo check', cwd: crate, targetDir, timeoutMs: PATIENCE_MS, sandbox });
  expect(warmUp.green).toBe(true);

  const marker = `scrum-apply-linger-${process.pid}-${Date.now()}`;
  markers.push(marker);
  writeFileSync(join(crate, 'arm.txt'), `${marker}${setsid ? ' setsid' : ''}\n`);
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  let settled = false;
  const running = runCheck({ command: 'cargo check', cwd: crate, targetDir, timeoutMs: TIMEOUT_MS, sandbox }).finally(() => {
    settled = true;
  });
  const expected = setsid ? 2 : 1;
  const sawThemAlive = await waitFor(() => processesMatching(marker).length === expected, PATIENCE_MS);
  // The clock has not moved: the check is still running, waiting for its build script.
  const stillRunning = !settled;
  vi.advanceTimersByTime(TIMEOUT_MS);
  vi.useRealTimers();
  const result = await running;
  return { result, marker, sawThemAlive, stillRunning };
}

describe('the time limit', () => {
  it('with bwrap, kills the whole tree, including a grandchild that left the process group with setsid', async () => {
    const { result, marker, sawThemAlive, stillRunning } = await lingeringCheck('bwrap', true);
    expect(sawThemAlive, 'both background shells were running before the time limit').toBe(true);
    expect(stillRunning).toBe(true);
    expect(result).toMatchObject({ timedOut: true, exitCode: null, green: false, sandboxed: true });
    expect(result.output).toContain('timed out after 5 s');
    // SIGKILL is immediate, reaping is not: nothing may be left once the kernel has caught up.
    expect(await waitFor(() => processesMatching(marker).length === 0, PATIENCE_MS)).toBe(true);
  });

  it('without a sandbox, kills the whole process group', async () => {
    const { result, marker, sawThemAlive, stillRunning } = await lingeringCheck('none', false);
    expect(sawThemAlive, 'the background shell was running before the time limit').toBe(true);
    expect(stillRunning).toBe(true);
    expect(result).toMatchObject({ timedOut: true, exitCode: null, green: false, sandboxed: false });
    expect(await waitFor(() => processesMatching(marker).length === 0, PATIENCE_MS)).toBe(true);
  });

  it('fires on time on the real clock (a generous upper bound: time is the point here)', async () => {
    const { root, cleanup } = tempRoot('scrum-apply-limit-');
    cleanups.push(cleanup);
    const result = await runCheck({ command: 'sleep 60', cwd: root, targetDir: join(root, 'target'), timeoutMs: 1_000, sandbox: 'none' });
    expect(result).toMatchObject({ timedOut: true, exitCode: null, green: false });
    expect(result.durationMs).toBeGreaterThanOrEqual(1_000);
    expect(result.durationMs).toBeLessThan(30_000);
  });
});

describe('cancelling', () => {
  it.each(['bwrap', 'none'] as const)('kills the check when the signal aborts (sandbox %s)', async (sandbox) => {
    const { root, cleanup } = tempRoot('scrum-apply-abort-');
    cleanups.push(cleanup);
    const marker = `${process.pid}${Date.now() % 100_000}`;
    markers.push(`sleep 3${marker}`);
    const controller = new AbortController();
    // Abort once the command is running (sleep takes the long, unique number as seconds).
    const result = runCheck({ command: `sleep 3${marker}`, cwd: root, targetDir: join(root, 'target'), timeoutMs: PATIENCE_MS, sandbox, signal: controller.signal });
    expect(await waitFor(() => processesMatching(`sleep 3${marker}`).length > 0, PATIENCE_MS)).toBe(true);
    controller.abort();
    expect(await result).toMatchObject({ exitCode: null, timedOut: false, green: false });
    expect((await result).output).toContain('the check was cancelled');
    expect(await waitFor(() => processesMatching(`sleep 3${marker}`).length === 0, PATIENCE_MS)).toBe(true);
  });
});
