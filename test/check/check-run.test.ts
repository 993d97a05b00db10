import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/run-check.js';
import { copyDemoWorkspace, scratchRoots, writeBuildScriptCrate } from './check-crates.js';

const scratch = scratchRoots('scrum-apply-check-');

describe.each(['bwrap', 'none'] as const)('runCheck with sandbox %s', (sandbox) => {
  it('is green for the demo workspace and keeps the target dir', async () => {
    const root = scratch();
    const ws = copyDemoWorkspace(join(root, 'ws'));
    const lockBefore = readFileSync(join(ws, 'Cargo.lock'), 'utf8');
    const targetDir = join(root, 'target');
    const result = await runCheck({ command: 'cargo check --workspace', cwd: ws, targetDir, timeoutMs: 120_000, sandbox });
    expect(result.output).toContain('Finished');
    expect(result).toMatchObject({ command: 'cargo check --workspace', exitCode: 0, timedOut: false, green: true, sandboxed: sandbox === 'bwrap' });
    expect(result.durationMs).toBeGreaterThan(0);
    expect(existsSync(join(targetDir, 'debug'))).toBe(true);
    expect(existsSync(join(ws, 'target'))).toBe(false);
    expect(readFileSync(join(ws, 'Cargo.lock'), 'utf8')).toBe(lockBefore);
  });

  it('is red (with the compiler error) for a workspace that does not compile', async () => {
    const root = scratch();
    const ws = copyDemoWorkspace(join(root, 'ws'));
    appendFileSync(join(ws, 'crates/geometry/src/lib.rs'), '\npub fn broken() -> u32 {\n    "not a number"\n}\n');
    const result = await runCheck({ command: 'cargo check --workspace', cwd: ws, targetDir: join(root, 'target'), timeoutMs: 120_000, sandbox });
    expect(result).toMatchObject({ exitCode: 101, timedOut: false, green: false });
    expect(result.output).toContain('error[E0308]: mismatched types');
    // The compiler's messages as data too: the first error's code and where it is.
    const lines = readFileSync(join(ws, 'crates/geometry/src/lib.rs'), 'utf8').split('\n');
    expect(result.diagnostics?.errors[0]).toMatchObject({
      level: 'error',
      code: 'E0308',
      message: 'mismatched types',
      file: 'crates/geometry/src/lib.rs',
      line: lines.indexOf('    "not a number"') + 1,
    });
    expect(result.diagnostics?.errorCount).toBe(1);
    expect(result.output).not.toContain('"reason"');
  });

  it('reports a command that cannot be found as not started', async () => {
    const root = scratch();
    const ws = copyDemoWorkspace(join(root, 'ws'));
    const result = await runCheck({ command: 'no-such-check-tool --flag', cwd: ws, targetDir: join(root, 'target'), timeoutMs: 10_000, sandbox });
    expect(result).toMatchObject({ command: 'no-such-check-tool --flag', exitCode: null, timedOut: false, green: false });
    expect(result.output).toContain('"no-such-check-tool" was not found');
    expect(result.notRun).toContain('"no-such-check-tool" was not found');
    expect(result.diagnostics).toBeNull();
  });
});

describe('runCheck output', () => {
  it('caps 20 MB of build output to the head and the tail', async () => {
    const root = scratch();
    const crate = writeBuildScriptCrate(
      join(root, 'loud'),
      'loud',
      `use std::io::Write;
fn main() {
    let mut err = std::io::stderr().lock();
    writeln!(err, "FIRST-LINE-OF-OUTPUT").unwrap();
    let line = [b'x'; 99];
    for _ in 0..200_000 {
        err.write_all(&line).unwrap();
        err.write_all(b"\\n").unwrap();
    }
    writeln!(err, "LAST-LINE-OF-OUTPUT").unwrap();
    std::process::exit(3);
}
`,
    );
    const cap = 100_000;
    const result = await runCheck({ command: 'cargo check', cwd: crate, targetDir: join(root, 'target'), timeoutMs: 120_000, sandbox: 'bwrap', outputCapBytes: cap });
    expect(result).toMatchObject({ exitCode: 101, green: false, timedOut: false });
    const marker = /\n… (\d+) bytes omitted …\n/.exec(result.output);
    expect(marker).not.toBeNull();
    expect(Number(marker?.[1])).toBeGreaterThan(19_000_000);
    expect(Buffer.byteLength(result.output)).toBeLessThan(cap + 200);
    // Plain booleans: a failure should not print 100 KB of x's.
    const [head = '', tail = ''] = result.output.split(marker?.[0] ?? '');
    expect(head.includes('exit status: 3'), 'cargo names the failing build script first').toBe(true);
    expect(head.includes('FIRST-LINE-OF-OUTPUT'), 'the head is kept').toBe(true);
    expect(tail.includes('LAST-LINE-OF-OUTPUT'), 'the tail is kept').toBe(true);
  });
});
