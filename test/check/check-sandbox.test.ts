import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bwrapArgs, detectSandbox, findBwrap, type BwrapFeatures } from '../../src/check/sandbox.js';
import { sandboxMounts, SANDBOX_HOME } from '../../src/check/sandbox-mounts.js';
import { scratchRoots, writeFiles } from './check-crates.js';

const scratch = scratchRoots('scrum-apply-sandbox-');

describe('detectSandbox', () => {
  it('auto uses bwrap when it is installed and a probe sandbox works', async () => {
    expect(await detectSandbox('auto')).toEqual({ kind: 'bwrap' });
    expect(await detectSandbox('bwrap')).toEqual({ kind: 'bwrap' });
  });

  it('none runs unsandboxed, with a warning to log', async () => {
    const choice = await detectSandbox('none');
    expect(choice.kind).toBe('none');
    expect(choice.warning).toContain('without a sandbox');
  });

  it('auto falls back to none with a loud warning when bwrap is missing; bwrap mode refuses', async () => {
    const env = { ...process.env, PATH: join(scratch(), 'empty-bin') };
    const choice = await detectSandbox('auto', { env });
    expect(choice.kind).toBe('none');
    expect(choice.warning).toMatch(/^NO SANDBOX: bwrap \(bubblewrap\) is not installed/);
    expect(choice.warning).toContain('WITHOUT a sandbox');
    await expect(detectSandbox('bwrap', { env })).rejects.toThrow(/^check\.sandbox is "bwrap" but bwrap \(bubblewrap\) is not installed .* Install bubblewrap/);
  });

  it('auto falls back to none when bwrap is installed but cannot create a sandbox', async () => {
    const bin = join(scratch(), 'bin');
    writeFiles(bin, { bwrap: '#!/bin/sh\necho "bwrap: No permissions to create new namespace" >&2\nexit 1\n' });
    chmodSync(join(bin, 'bwrap'), 0o755);
    const env = { ...process.env, PATH: bin };
    const choice = await detectSandbox('auto', { env });
    expect(choice.kind).toBe('none');
    expect(choice.warning).toContain(`bwrap at ${join(bin, 'bwrap')} does not work here (bwrap: No permissions to create new namespace)`);
    await expect(detectSandbox('bwrap', { env })).rejects.toThrow('does not work here');
  });
});

describe('bwrapArgs', () => {
  const features: BwrapFeatures = { path: '/usr/bin/bwrap', size: true, disableUserns: true };
  const layout = {
    cwd: '/work/slot-1',
    targetDir: '/data/target-1',
    homes: { cargoHome: '/opt/cargo', rustupHome: '/opt/rustup' },
    extraReadOnly: ['/usr/bin', '/opt/tools/bin'],
  };
  const env = { PATH: '/usr/bin', HOME: SANDBOX_HOME, CARGO_TARGET_DIR: '/data/target-1' };

  it('unshares everything, drops privileges and passes exactly the given environment', async () => {
    const args = bwrapArgs({ mounts: await sandboxMounts(layout), env, cwd: layout.cwd, features });
    expect(args.slice(0, 9)).toEqual(['--unshare-all', '--unshare-user', '--disable-userns', '--die-with-parent', '--new-session', '--cap-drop', 'ALL', '--clearenv', '--setenv']);
    expect(args).not.toContain('--share-net');
    const setenv = args.flatMap((arg, i) => (arg === '--setenv' ? [`${args[i + 1]}=${args[i + 2]}`] : []));
    expect(setenv).toEqual(['PATH=/usr/bin', `HOME=${SANDBOX_HOME}`, 'CARGO_TARGET_DIR=/data/target-1']);
    expect(args.slice(-2)).toEqual(['--chdir', '/work/slot-1']);
  });

  it('shows the worktree read-only, the target dir writable, and nothing else writable on the host', async () => {
    const args = bwrapArgs({ mounts: await sandboxMounts(layout), env, cwd: layout.cwd, features });
    const triples = args.flatMap((arg, i) => (['--bind', '--ro-bind', '--ro-bind-try'].includes(arg) ? [[arg, args[i + 1], args[i + 2]].join(' ')] : []));
    // The same paths inside for every slot: /scrum-apply/{tree,target}.
    expect(triples.filter((t) => t.startsWith('--bind '))).toEqual(['--bind /data/target-1 /scrum-apply/target']);
    expect(triples).toContain('--ro-bind /work/slot-1 /scrum-apply/tree');
    expect(triples.some((t) => t.endsWith(' /work/slot-1') || t.endsWith(' /data/target-1'))).toBe(false);
    expect(triples).toContain('--ro-bind /usr /usr');
    expect(triples).toContain('--ro-bind /opt/tools/bin /opt/tools/bin');
    expect(triples).not.toContain('--ro-bind /usr/bin /usr/bin'); // already under /usr
    expect(triples).toContain('--ro-bind-try /opt/cargo/registry /opt/cargo/registry');
    expect(triples).toContain('--ro-bind-try /opt/rustup /opt/rustup');
    expect(triples.some((t) => t.includes('credentials'))).toBe(false);
    expect(triples.some((t) => / \/etc /.test(t) || t.endsWith(' /etc') || t.includes(' /root') || t.includes(' /home'))).toBe(false);
    // Order matters: later mounts cover earlier ones.
    const at = (needle: string[]) => args.findIndex((_, i) => needle.every((word, k) => args[i + k] === word));
    expect(at(['--size', String(512 * 1024 ** 2), '--tmpfs', '/tmp'])).toBeGreaterThan(-1);
    expect(at(['--tmpfs', '/opt/cargo'])).toBeLessThan(at(['--ro-bind-try', '/opt/cargo/bin']));
    expect(at(['--ro-bind', '/work/slot-1', '/scrum-apply/tree'])).toBeLessThan(at(['--bind', '/data/target-1', '/scrum-apply/target']));
    expect(at(['--remount-ro', '/'])).toBe(args.length - 4);
  });

  it('leaves out options the installed bwrap does not know', async () => {
    const args = bwrapArgs({ mounts: await sandboxMounts(layout), env, cwd: layout.cwd, features: { ...features, size: false, disableUserns: false } });
    expect(args).not.toContain('--size');
    expect(args).not.toContain('--disable-userns');
    expect(args).toContain('--tmpfs');
  });

  it('detects the features of the installed bwrap', async () => {
    const found = await findBwrap();
    expect(found?.path).toMatch(/\/bwrap$/);
    expect(found?.size).toBe(true); // Debian 12's 0.8.0 has --size backported
    expect(found?.disableUserns).toBe(true);
  });
});
