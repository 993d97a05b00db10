import { execFileSync } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckConfig } from '../../src/config/config-schema.js';
import { createSharedDirectCargo } from '../../src/check/shared-direct-cargo.js';
import { parseRustupWhich, rustupProxyOf } from '../../src/check/direct-cargo.js';
import { runCheck } from '../../src/check/run-check.js';
import { copyDemoWorkspace, scratchRoots } from './check-crates.js';

const scratch = scratchRoots('scrum-apply-direct-cargo-');

function script(path: string, body: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

/**
 * A stand-in rustup installation: `<cargoHome>/bin/rustup` with `cargo` linked to it (as rustup
 * installs its proxies) and one toolchain, `fake-1.0`, whose cargo reports how it was run.
 * The proxy answers `which cargo` like rustup — or with a toolchain path when the tree has
 * a rust-toolchain.toml — and says so when it runs as cargo itself.
 */
function fakeRustup(root: string) {
  const cargoHome = join(root, 'cargo-home');
  const rustupHome = join(root, 'rustup-home');
  script(
    join(cargoHome, 'bin', 'rustup'),
    [
      'if [ "$(basename "$0")" = cargo ]; then echo "PROXY RAN $*"; exit 0; fi',
      'if [ "$1 $2" = "which cargo" ]; then',
      '  echo asked >> "$CARGO_TARGET_DIR/which-calls"',
      '  if [ -f rust-toolchain.toml ]; then echo /opt/custom-rust/bin/cargo; exit 0; fi',
      '  echo "info: using the default toolchain" >&2',
      '  echo "$RUSTUP_HOME/toolchains/fake-1.0/bin/cargo"; exit 0',
      'fi',
      'exit 1',
    ].join('\n'),
  );
  symlinkSync('rustup', join(cargoHome, 'bin', 'cargo'));
  script(join(rustupHome, 'toolchains', 'fake-1.0', 'bin', 'cargo'), 'echo "DIRECT toolchain=$RUSTUP_TOOLCHAIN lib=$LD_LIBRARY_PATH args=$*"');
  const env = { PATH: `${join(cargoHome, 'bin')}:/usr/bin:/bin`, HOME: root, CARGO_HOME: cargoHome, RUSTUP_HOME: rustupHome };
  return { cargoHome, rustupHome, env, proxy: join(cargoHome, 'bin', 'cargo') };
}

describe('rustupProxyOf', () => {
  it('knows rustup’s cargo proxy by its link to rustup, symbolic or hard', () => {
    const root = scratch();
    script(join(root, 'sym', 'rustup'), 'exit 0');
    symlinkSync('rustup', join(root, 'sym', 'cargo'));
    symlinkSync('rustup', join(root, 'sym', 'cargo-clippy'));
    script(join(root, 'hard', 'rustup'), 'exit 0');
    linkSync(join(root, 'hard', 'rustup'), join(root, 'hard', 'cargo'));
    script(join(root, 'plain', 'rustup'), 'exit 0');
    script(join(root, 'plain', 'cargo'), 'exit 0');
    return Promise.all([
      expect(rustupProxyOf(join(root, 'sym', 'cargo'))).resolves.toBe(join(root, 'sym', 'rustup')),
      expect(rustupProxyOf(join(root, 'hard', 'cargo'))).resolves.toBe(join(root, 'hard', 'rustup')),
      expect(rustupProxyOf(join(root, 'plain', 'cargo'))).resolves.toBeNull(),
      expect(rustupProxyOf(join(root, 'sym', 'cargo-clippy'))).resolves.toBeNull(),
      expect(rustupProxyOf(join(root, 'missing', 'cargo'))).resolves.toBeNull(),
    ]);
  });
});

describe('parseRustupWhich', () => {
  const home = '/home/u/.rustup';
  it('takes an installed toolchain’s cargo from the last line', () => {
    expect(parseRustupWhich(`info: syncing channel updates\n${home}/toolchains/1.95-x86_64-unknown-linux-gnu/bin/cargo\n`, home)).toEqual({
      cargo: `${home}/toolchains/1.95-x86_64-unknown-linux-gnu/bin/cargo`,
      toolchain: '1.95-x86_64-unknown-linux-gnu',
    });
  });

  it('leaves anything else to the proxy', () => {
    for (const output of [
      '',
      '/opt/custom-rust/bin/cargo',
      `${home}/toolchains/../elsewhere/bin/cargo`,
      `${home}/toolchains/a/b/bin/cargo`,
      `${home}/toolchains/stable/bin/rustc`,
      `${home}/toolchains/stable/bin/cargo extra`,
      `${home}-other/toolchains/stable/bin/cargo`,
    ]) {
      expect(parseRustupWhich(output, home), output).toBeNull();
    }
  });
});

describe.each(['bwrap', 'none'] as const)('the toolchain’s cargo instead of the proxy, sandbox %s', (sandbox) => {
  function setUp() {
    const root = scratch();
    const fake = fakeRustup(root);
    const tree = join(root, 'tree');
    mkdirSync(tree);
    const targetDir = join(root, 'target');
    const shared = (command: string) => createSharedDirectCargo({ check: CheckConfig.parse({ command, sandbox }), sandbox, env: fake.env });
    const resolve = (command: string) => shared(command).forSlot({ dir: tree, targetDir });
    return { root, fake, tree, targetDir, shared, resolve };
  }

  it('asks rustup once, in the check’s own sandbox, and each check then runs that cargo', async () => {
    const { fake, tree, targetDir, shared } = setUp();
    const once = shared('cargo check --workspace');
    const [direct, again] = await Promise.all([once.forSlot({ dir: tree, targetDir }), once.forSlot({ dir: tree, targetDir })]);
    expect(await once.forSlot({ dir: tree, targetDir })).toBe(direct);
    expect(again).toBe(direct);
    expect(readFileSync(join(targetDir, 'which-calls'), 'utf8')).toBe('asked\n');
    expect(direct).toEqual({ proxy: fake.proxy, cargo: join(fake.rustupHome, 'toolchains', 'fake-1.0', 'bin', 'cargo'), toolchain: 'fake-1.0' });

    const check = (directCargo: typeof direct) =>
      runCheck({ command: 'cargo check --workspace', cwd: tree, targetDir, timeoutMs: 30_000, sandbox, fetch: false, env: fake.env, directCargo });
    const withDirect = await check(direct);
    expect(withDirect.green).toBe(true);
    expect(withDirect.output).toContain(`DIRECT toolchain=fake-1.0 lib=${join(fake.rustupHome, 'toolchains', 'fake-1.0', 'lib')} args=check --workspace`);
    expect(withDirect.output).not.toContain('PROXY RAN');
    // The report names the command as configured, not the path that ran it.
    expect(withDirect.command).toBe('cargo check --workspace');

    const viaProxy = await check(null);
    expect(viaProxy.output).toContain('PROXY RAN check --workspace');
  });

  it('keeps the proxy for `+toolchain`, for other commands and for a toolchain given by path', async () => {
    const { tree, resolve } = setUp();
    await expect(resolve('cargo +nightly check')).resolves.toBeNull();
    await expect(resolve('make check')).resolves.toBeNull();
    writeFileSync(join(tree, 'rust-toolchain.toml'), '[toolchain]\npath = "/opt/custom-rust"\n');
    await expect(resolve('cargo check')).resolves.toBeNull();
  });
});

describe('the machine’s own rustup', () => {
  it('resolves to the cargo `rustup which cargo` names, and a check with it compiles the demo workspace', async () => {
    const root = scratch();
    const ws = copyDemoWorkspace(join(root, 'ws'));
    const targetDir = join(root, 'target');
    const check = CheckConfig.parse({ command: 'cargo check --workspace', sandbox: 'bwrap' });
    const direct = await createSharedDirectCargo({ check, sandbox: 'bwrap' }).forSlot({ dir: ws, targetDir });
    const expected = execFileSync('rustup', ['which', 'cargo'], { cwd: ws, encoding: 'utf8' }).trim();
    expect(direct?.cargo).toBe(expected);
    const result = await runCheck({ command: check.command, cwd: ws, targetDir, timeoutMs: 120_000, sandbox: 'bwrap', directCargo: direct });
    expect(result).toMatchObject({ green: true, exitCode: 0 });
    expect(result.output).toContain('Finished');
  }, 120_000);
});
