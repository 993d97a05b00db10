import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/run-check.js';
import { realToolchainHomes, scratchRoots, writeFiles } from './check-crates.js';

const scratch = scratchRoots('scrum-apply-fetch-test-');

function gitIn(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd, stdio: 'ignore' });
}

describe('cargo fetch before the sandboxed check', () => {
  it('writes Cargo.lock and downloads a git dependency, then the check builds offline in the sandbox', async () => {
    const root = scratch();
    const dep = join(root, 'dep');
    writeFiles(dep, {
      'Cargo.toml': '[package]\nname = "dep"\nversion = "0.1.0"\nedition = "2021"\n',
      'src/lib.rs': 'pub fn from_dep() -> u32 {\n    7\n}\n',
    });
    gitIn(dep, 'init', '-q');
    gitIn(dep, 'add', '-A');
    gitIn(dep, 'commit', '-q', '-m', 'dep');
    const ws = join(root, 'repo');
    writeFiles(ws, {
      'Cargo.toml': `[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\ndep = { git = "file://${dep}" }\n`,
      'src/lib.rs': 'pub fn answer() -> u32 {\n    dep::from_dep() * 6\n}\n',
    });
    // A CARGO_HOME of its own, so the machine's is not touched.
    const cargoHome = join(root, 'cargo-home');
    const env = { ...process.env, ...realToolchainHomes(), CARGO_HOME: cargoHome };

    const result = await runCheck({ command: 'cargo check', cwd: ws, targetDir: join(root, 'target'), timeoutMs: 120_000, sandbox: 'bwrap', env });
    expect(result.output).toContain('Checking dep v0.1.0');
    expect(result).toMatchObject({ exitCode: 0, green: true, sandboxed: true });
    expect(readFileSync(join(ws, 'Cargo.lock'), 'utf8')).toContain('name = "dep"');
    expect(existsSync(join(cargoHome, 'git', 'db'))).toBe(true);
  });

  it('does not run a rustc-wrapper (or anything else) configured by the repository', async () => {
    const root = scratch();
    const ws = join(root, 'repo');
    const marker = join(root, 'WRAPPER-RAN-OUTSIDE-THE-SANDBOX');
    writeFiles(ws, {
      'Cargo.toml': '[package]\nname = "wrapped"\nversion = "0.1.0"\nedition = "2021"\n',
      'src/lib.rs': 'pub fn answer() -> u32 {\n    42\n}\n',
      // Relative to the directory holding .cargo/ (where the sandbox shows the tree).
      '.cargo/config.toml': '[build]\nrustc-wrapper = "./wrap.sh"\n',
      // `cargo fetch` run from the worktree would call this (to ask rustc about the target).
      'wrap.sh': `#!/bin/sh\ntouch '${marker}'\necho "wrapper ran: $1" >&2\nexec "$@"\n`,
    });
    chmodSync(join(ws, 'wrap.sh'), 0o755);

    const result = await runCheck({ command: 'cargo check', cwd: ws, targetDir: join(root, 'target'), timeoutMs: 120_000, sandbox: 'bwrap' });
    expect(result).toMatchObject({ exitCode: 0, green: true });
    // The wrapper did run — in the sandboxed check, where the marker's directory is a private tmpfs.
    expect(result.output).toContain('wrapper ran: ');
    expect(existsSync(marker)).toBe(false);
  });

  it('runs the check anyway when the fetch fails, and says so in the output', async () => {
    const root = scratch();
    const ws = join(root, 'repo');
    writeFiles(ws, {
      'Cargo.toml': '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nmissing = { path = "../no-such-crate" }\n',
      'src/lib.rs': 'pub fn answer() -> u32 {\n    42\n}\n',
    });
    const env = { ...process.env, ...realToolchainHomes(), CARGO_HOME: join(root, 'cargo-home') };
    const result = await runCheck({ command: 'cargo check', cwd: ws, targetDir: join(root, 'target'), timeoutMs: 120_000, sandbox: 'bwrap', env });
    expect(result).toMatchObject({ green: false, timedOut: false, exitCode: 101 });
    expect(result.output).toMatch(/^\[scrum-apply\] `cargo fetch` failed \(exit 101\) before the check/);
    expect(result.output).toContain('no-such-crate');
  });
});
