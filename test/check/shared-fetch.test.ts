import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSharedFetch } from '../../src/check/shared-fetch.js';
import { captureLogger } from '../helpers/github-mocks.js';

/**
 * `cargo fetch` once per run: a stand-in `cargo` first on PATH logs every call and, as its
 * mode file says, succeeds, writes a Cargo.lock, or fails.
 */
let root: string;
let log: string;
let mode: string;

function fakeCargo(): string {
  const bin = join(root, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'cargo'),
    `#!/bin/sh
echo "$*" >> ${log}
manifest="$3"
case "$(cat ${mode})" in
  write-lock) echo generated > "$(dirname "$manifest")/Cargo.lock" ;;
  fail) echo "network down while fetching for $manifest" >&2; exit 101 ;;
esac
exit 0
`,
  );
  chmodSync(join(bin, 'cargo'), 0o755);
  return bin;
}

function slot(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const [path, content] of Object.entries(files)) writeFileSync(join(dir, path), content);
  return dir;
}

function calls(): string[] {
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [];
}

let env: NodeJS.ProcessEnv;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'scrum-apply-shared-fetch-'));
  log = join(root, 'calls.log');
  mode = join(root, 'mode');
  writeFileSync(mode, 'ok');
  env = { PATH: `${fakeCargo()}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: root };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const WORKSPACE = { 'Cargo.toml': '[workspace]\n', 'Cargo.lock': 'version = 4\n' };

describe('createSharedFetch', () => {
  it('fetches once for all slots when the committed Cargo.lock stays as it is; every check then runs offline', async () => {
    const shared = createSharedFetch({ command: 'cargo check --workspace', timeoutMs: 30_000, env });
    const dirs = ['a', 'b', 'c'].map((name) => slot(name, WORKSPACE));
    const plans = await Promise.all(dirs.map((dir) => shared.planFor(dir)));
    expect(calls()).toEqual([`fetch --manifest-path ${join(dirs[0] ?? '', 'Cargo.toml')}`]);
    for (const plan of plans) expect(plan).toEqual({ fetch: false, offline: true, changedTree: false });
    expect(await shared.planFor(dirs[1] ?? '')).toEqual({ fetch: false, offline: true, changedTree: false });
    expect(calls()).toHaveLength(1);
  });

  it('when the fetch writes a lock file, the other slots get the same lock file, no check fetches again, and no tree counts as untouched', async () => {
    writeFileSync(mode, 'write-lock');
    const shared = createSharedFetch({ command: 'cargo check', timeoutMs: 30_000, env });
    const first = slot('a', { 'Cargo.toml': '[workspace]\n' });
    const second = slot('b', { 'Cargo.toml': '[workspace]\n' });
    expect(await shared.planFor(first)).toEqual({ fetch: false, offline: true, changedTree: true });
    expect(await shared.planFor(second)).toEqual({ fetch: false, offline: true, changedTree: true });
    expect(readFileSync(join(second, 'Cargo.lock'), 'utf8')).toBe('generated\n');
    expect(calls()).toHaveLength(1);
  });

  it('a failed fetch is remembered and logged once at warn with cargo\'s message, without host paths; every check runs offline and none fetches again', async () => {
    writeFileSync(mode, 'fail');
    const { logger, lines } = captureLogger([]);
    const shared = createSharedFetch({ command: 'cargo check', timeoutMs: 30_000, env, logger });
    const dirs = ['a', 'b', 'c'].map((name) => slot(name, WORKSPACE));
    const plans = await Promise.all(dirs.map((dir) => shared.planFor(dir)));
    for (const plan of plans) expect(plan).toEqual({ fetch: false, offline: true, changedTree: false });
    expect(await shared.planFor(dirs[0] ?? '')).toEqual({ fetch: false, offline: true, changedTree: false });
    expect(calls()).toHaveLength(1);
    const warnings = lines.map((line) => JSON.parse(line) as { level: number; msg: string; cargo?: string }).filter((line) => line.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toBe('cargo fetch failed; the checks run offline with what is already downloaded');
    expect(warnings[0]?.cargo).toContain('network down');
    expect(lines.join('\n')).not.toContain(root);
  });

  it('without a Cargo.toml nothing is fetched and checks are not made offline', async () => {
    const shared = createSharedFetch({ command: 'make check', timeoutMs: 30_000, env });
    expect(await shared.planFor(slot('a', { Makefile: 'check:\n' }))).toEqual({ fetch: false, offline: false, changedTree: false });
    expect(await shared.planFor(slot('b', { Makefile: 'check:\n' }))).toEqual({ fetch: false, offline: false, changedTree: false });
    expect(calls()).toEqual([]);
  });
});
