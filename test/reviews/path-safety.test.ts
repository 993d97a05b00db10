import { describe, expect, test } from 'vitest';
import { ALWAYS_DENY, DEFAULT_DENY } from '../../src/config/config-schema.js';
import { checkPathSyntax, createDenyMatcher, createPathChecker } from '../../src/reviews/path-safety.js';

/** The deny matcher the path checker builds, for one path. */
function matchDenyList(path: string, patterns: readonly string[]): string | null {
  return createDenyMatcher(patterns)(path);
}

function checkPath(path: string, deny: readonly string[]) {
  return createPathChecker(deny)(path);
}

function reasonOf(path: string, deny: readonly string[] = ['config/']): string {
  const result = checkPath(path, deny);
  if (result.ok) throw new Error(`expected ${JSON.stringify(path)} to be refused`);
  return result.reason;
}

describe('checkPathSyntax', () => {
  test.each([
    ['', 'path is empty'],
    ['a/'.repeat(512) + 'x', 'longer than 1024 bytes'],
    [`src/${'é'.repeat(128)}.rs`, 'component longer than 255 bytes'],
    ['/etc/passwd', 'path is absolute'],
    ['C:/x.rs', 'drive letter'],
    ['c:x.rs', 'drive letter'],
    ['./config/x.rs', 'starts with "./"'],
    ['src/../config/x.rs', 'has a ".." segment'],
    ['..', 'has a ".." segment'],
    ['src/./x.rs', 'has a "." segment'],
    ['src\\x.rs', 'backslash'],
    ['a//b', 'empty segment'],
    ['src/', 'ends with "/"'],
    ['src/x\u0000.rs', 'control character (U+0000)'],
    ['src/x\n.rs', 'control character (U+000A)'],
    ['src/x\u007f.rs', 'control character (U+007F)'],
    ['src/x\u0085.rs', 'control character (U+0085)'],
    ['src/x\u009b.rs', 'control character (U+009B)'],
    ['src/\u202Egpj.rs', 'bidirectional character (U+202E)'],
    ['src/a\u200Bb.rs', '(U+200B)'],
    ['src/a\u200Fb.rs', '(U+200F)'],
    ['src/a\u202Ab.rs', '(U+202A)'],
    ['src/a\u2060b.rs', '(U+2060)'],
    ['src/a\u2064b.rs', '(U+2064)'],
    ['src/a\u2066b.rs', '(U+2066)'],
    ['src/a\u2069b.rs', '(U+2069)'],
    ['\uFEFFsrc/a.rs', '(U+FEFF)'],
    ['src/a\u00ADb.rs', '(U+00AD)'],
    ['src/a\u180Eb.rs', '(U+180E)'],
    ['src/a\u{E0001}b.rs', '(U+E0001)'],
    ['src/a\u00A0b.rs', '(U+00A0)'],
    ['src/a\u2028b.rs', '(U+2028)'],
    ['src/a\uD800b.rs', '(U+D800)'],
    ['src/cafe\u0301.rs', 'not in Unicode NFC form'],
    ['.git/config', '".git" component'],
    ['a/.GIT/hooks/x', '".git" component'],
    ['a/.Git/x', '".git" component'],
    ['.git./x', '".git" component'],
    ['.git /x', '".git" component'],
    ['a/.git. . /x', '".git" component'],
    ['GIT~1/config', '".git" component'],
    ['a/git~1/config', '".git" component'],
    ['.git::$INDEX_ALLOCATION/config', '".git" component'],
    ['src/.git', '".git" component'],
  ])('%j is refused: %s', (path, reason) => {
    const result = checkPathSyntax(path);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  test.each([
    'src/lib.rs',
    'crates/core/src/format.rs',
    'src/café.rs',
    'src/日本語.rs',
    'a b/c.rs',
    '.gitignore-like/x.rs',
    'src/.github-notes.md',
    'git/x.rs',
    'src/my.git/x.rs',
    'a/'.repeat(511) + 'x',
    `src/${'x'.repeat(255)}`,
  ])('%j is accepted', (path) => {
    expect(checkPathSyntax(path)).toEqual({ ok: true });
  });
});

describe('createDenyMatcher', () => {
  test('a directory pattern denies everything under it, after NFC and case folding', () => {
    expect(matchDenyList('config/x.rs', ['config/'])).toBe('config/');
    expect(matchDenyList('Config/x.rs', ['config/'])).toBe('config/');
    expect(matchDenyList('CONFIG/a/b.rs', ['config/'])).toBe('config/');
    expect(matchDenyList('src/x.rs', ['Src/'])).toBe('Src/');
    expect(matchDenyList('café/x.rs', ['cafe\u0301/'])).toBe('cafe\u0301/');
    expect(matchDenyList('configuration/x.rs', ['config/'])).toBeNull();
    expect(matchDenyList('src/config/x.rs', ['config/'])).toBeNull();
  });

  test('a name without glob is that exact path (and, like .gitignore, a directory of that name)', () => {
    expect(matchDenyList('Cargo.toml', ['Cargo.toml'])).toBe('Cargo.toml');
    expect(matchDenyList('cargo.TOML', ['Cargo.toml'])).toBe('Cargo.toml');
    expect(matchDenyList('crates/Cargo.toml', ['Cargo.toml'])).toBeNull();
    expect(matchDenyList('Cargo.toml.bak', ['Cargo.toml'])).toBeNull();
    expect(matchDenyList('vendor/x.rs', ['vendor'])).toBe('vendor');
  });

  test('* and ? stay within one component', () => {
    expect(matchDenyList('rust-toolchain', ['rust-toolchain*'])).toBe('rust-toolchain*');
    expect(matchDenyList('rust-toolchain.toml', ['rust-toolchain*'])).toBe('rust-toolchain*');
    expect(matchDenyList('a/rust-toolchain.toml', ['rust-toolchain*'])).toBeNull();
    expect(matchDenyList('src/gen_a.rs', ['src/gen_?.rs'])).toBe('src/gen_?.rs');
    expect(matchDenyList('src/gen_ab.rs', ['src/gen_?.rs'])).toBeNull();
    expect(matchDenyList('src/a/x.rs', ['src/*.rs'])).toBeNull();
    expect(matchDenyList('src/x.rs', ['src/*.rs'])).toBe('src/*.rs');
  });

  test('** matches any depth, including none', () => {
    expect(matchDenyList('build.rs', ['**/build.rs'])).toBe('**/build.rs');
    expect(matchDenyList('a/b/build.rs', ['**/build.rs'])).toBe('**/build.rs');
    expect(matchDenyList('a/b/build.rs.txt', ['**/build.rs'])).toBeNull();
    expect(matchDenyList('a/xbuild.rs', ['**/build.rs'])).toBeNull();
    expect(matchDenyList('gen/a/b/c.rs', ['gen/**'])).toBe('gen/**');
    expect(matchDenyList('a/tests/b/c.rs', ['**/tests/'])).toBe('**/tests/');
    expect(matchDenyList('a/b/x.snap', ['**/*.snap'])).toBe('**/*.snap');
  });

  test('regex characters in patterns are literal', () => {
    expect(matchDenyList('a+b/x.rs', ['a+b/'])).toBe('a+b/');
    expect(matchDenyList('aab/x.rs', ['a+b/'])).toBeNull();
    expect(matchDenyList('src/x.rs', ['src/x.r.'])).toBeNull();
    expect(matchDenyList('(x)/[y]/z.rs', ['(x)/[y]/'])).toBe('(x)/[y]/');
  });

  test('a leading "/" or "./" anchors at the root as in .gitignore', () => {
    expect(matchDenyList('config/x.rs', ['/config/'])).toBe('/config/');
    expect(matchDenyList('config/x.rs', ['./config/'])).toBe('./config/');
    expect(matchDenyList('src/config/x.rs', ['/config/'])).toBeNull();
    expect(matchDenyList('x.rs', ['/', './', ''])).toBeNull();
  });

  test('returns the first pattern that denies, or null', () => {
    expect(matchDenyList('docs/a.md', ['ops/', 'docs/', '**/*.md'])).toBe('docs/');
    expect(matchDenyList('src/lib.rs', [...DEFAULT_DENY, ...ALWAYS_DENY])).toBeNull();
    expect(matchDenyList('x.rs', [])).toBeNull();
  });
});

describe('createPathChecker', () => {
  test.each([
    ['./config/x.rs', 'starts with "./"'],
    ['Config/x.rs', 'denied by "config/"'],
    ['CONFIG/x.rs', 'denied by "config/"'],
    ['src/../config/x.rs', 'path has a ".." segment'],
    ['/etc/passwd', 'path is absolute'],
    ['.git/config', '".git" component'],
    ['a/.GIT/hooks/x', '".git" component'],
    ['crates/Cargo.toml', 'denied by "**/Cargo.toml"'],
    ['Cargo.toml', 'denied by "Cargo.toml"'],
    ['crates/a/Cargo.lock', 'denied by "**/Cargo.lock"'],
    ['build.rs', 'denied by "build.rs"'],
    ['crates/x/build.rs', 'denied by "**/build.rs"'],
    ['.github/workflows/x.yml', 'denied by ".github/"'],
    ['.GitHub/workflows/x.yml', 'denied by ".github/"'],
    ['.gitea/workflows/x.yml', 'denied by ".gitea/"'],
    ['.cargo/config.toml', 'denied by ".cargo/"'],
    ['rust-toolchain.toml', 'denied by "rust-toolchain*"'],
    ['src/.gitattributes', 'denied by "**/.gitattributes"'],
    ['.gitmodules', 'denied by ".gitmodules"'],
    ['src/\u202Eevil.rs', 'bidirectional character (U+202E)'],
    ['cafe\u0301.rs', 'not in Unicode NFC form'],
  ])('%j is refused: %s', (path, reason) => {
    expect(reasonOf(path)).toContain(reason);
  });

  test('ALWAYS_DENY applies even with an empty deny list', () => {
    expect(reasonOf('crates/Cargo.toml', [])).toBe('denied by "**/Cargo.toml"');
  });

  test('an ordinary source file passes', () => {
    expect(checkPath('crates/core/src/lib.rs', ['config/'])).toEqual({ ok: true });
    expect(checkPath('config.rs', ['config/'])).toEqual({ ok: true });
  });
});
