import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { branchNameFor, isCleanRefName } from '../../src/git/branch-name.js';

/** Every name at once through git itself (one process, not hundreds). */
function invalidRefs(names: string[]): string[] {
  const script = 'for n in "$@"; do git check-ref-format "refs/heads/$n" || printf "%s\\n" "$n"; done';
  const out = execFileSync('sh', ['-c', script, 'sh', ...names], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  return out.split('\n').filter((line) => line.length > 0);
}

const NASTY_PATHS = [
  'src/main.rs',
  'Cargo.lock',
  'a.lock/b.lock',
  'x.LOCK',
  '.hidden/.file',
  '.git/config',
  '..',
  '../../etc/passwd',
  'a/../b',
  'a..b',
  'dir./file.',
  'trailing/',
  'trailing.',
  '/absolute/path',
  'a//b///c',
  'with space/and\ttab',
  'weird~^:?*[\\chars',
  '@',
  'a@{1}',
  '@{upstream}',
  'ünïcødé/файл.rs',
  'emoji/😀.rs',
  'ctrl\u0001char\u007f',
  '-leading-dash',
  '.',
  '...',
  '.lock',
  'x.lock.',
  'a/.lock/b',
  'end/.',
  '',
  'a\nb',
  'tab\there',
  'semi;colon|pipe&amp',
  '.....lock',
];

describe('branchNameFor', () => {
  it('keeps ordinary paths readable, and marks cleaned ones with a hash of the path', () => {
    expect(branchNameFor('scrum-apply/', 'crates/geometry/src/shapes.rs')).toBe('scrum-apply/crates/geometry/src/shapes.rs');
    expect(branchNameFor('scrum-apply/', 'Cargo.lock')).toMatch(/^scrum-apply\/Cargo-lock-[0-9a-f]{8}$/);
    expect(branchNameFor('scrum-apply/', '.github/x.yml')).toMatch(/^scrum-apply\/-github\/x\.yml-[0-9a-f]{8}$/);
    expect(branchNameFor('scrum-apply/', 'a b/c~d.rs')).toMatch(/^scrum-apply\/a-b\/c-d\.rs-[0-9a-f]{8}$/);
    expect(branchNameFor('scrum-apply/', 'a..b/c.')).toMatch(/^scrum-apply\/a-b\/c--[0-9a-f]{8}$/);
  });

  it('never gives two paths the same branch when cleaning makes them look alike', () => {
    const paths = ['a b.rs', 'a-b.rs', 'a~b.rs', 'a//b.rs', 'a/b.rs'];
    const names = paths.map((p) => branchNameFor('scrum-apply/', p));
    expect(new Set(names).size).toBe(paths.length);
  });

  it('always yields a ref git accepts, whatever the path', () => {
    const names = [
      ...NASTY_PATHS.map((p) => branchNameFor('scrum-apply/', p)),
      ...NASTY_PATHS.map((p) => branchNameFor('bot-', p)),
      ...NASTY_PATHS.map((p) => branchNameFor('scrum-apply/', `${'deep/'.repeat(60)}${p}`)),
      ...NASTY_PATHS.map((p) => branchNameFor('scrum-apply/', `${'x'.repeat(190)}${p}.lock`)),
      ...NASTY_PATHS.map((p) => branchNameFor('scrum-apply/', `${'a'.repeat(184)}/.${p}`)),
    ];
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(200);
      expect(name).not.toMatch(/\.\.|@\{|\/\/|^\/|\/$|\.$|\.lock$|\/\.|^\./);
    }
    expect(invalidRefs(names)).toEqual([]);
    // The checker itself can say no.
    expect(invalidRefs(['ok/name', 'a..b', 'x.lock', 'a/.b'])).toEqual(['a..b', 'x.lock', 'a/.b']);
  });

  it('shortens long names to the head plus a hash of the path', () => {
    const path = `${'very-long-directory-name/'.repeat(12)}file.rs`;
    const name = branchNameFor('scrum-apply/', path);
    const hash = createHash('sha256').update(path).digest('hex').slice(0, 8);
    expect(name.length).toBeLessThanOrEqual(200);
    expect(name.startsWith('scrum-apply/very-long-directory-name/')).toBe(true);
    expect(name.endsWith(`-${hash}`)).toBe(true);
    // Two long paths differing only at the end stay apart.
    expect(branchNameFor('scrum-apply/', `${path}x`)).not.toBe(name);
  });

  it('is stable: the same path always gives the same branch', () => {
    expect(branchNameFor('p/', 'a b.rs')).toBe(branchNameFor('p/', 'a b.rs'));
  });
});

describe('isCleanRefName', () => {
  it('vouches only for names git accepts as they are', () => {
    const vouched = [...NASTY_PATHS, 'main', 'release/1.2', 'feature/x_y-z', 'v1.0.0'].filter(isCleanRefName);
    expect(vouched).toEqual(expect.arrayContaining(['main', 'release/1.2', 'feature/x_y-z', 'v1.0.0', 'src/main.rs']));
    expect(invalidRefs(vouched)).toEqual([]);
    // --normalize would change none of them.
    for (const name of vouched) {
      expect(execFileSync('git', ['check-ref-format', '--normalize', `refs/heads/${name}`], { encoding: 'utf8' }).trim()).toBe(`refs/heads/${name}`);
    }
  });

  it('leaves everything else to git', () => {
    for (const name of ['', 'no..pe', 'a//b', '/a', 'a/', 'x.lock', '.a', 'a.', 'a b', 'ünï', '@', 'a@{1}']) {
      expect(isCleanRefName(name), name).toBe(false);
    }
  });
});
