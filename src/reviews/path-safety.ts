import { ALWAYS_DENY } from '../config/config-schema.js';
import { globToRegExp } from './glob-to-regexp.js';

/**
 * File paths come from the review log, which is untrusted: a path is only used when it is a
 * plain, canonical, relative path that means the same thing to git, to the file system and to
 * a person reading the pull request.
 */
export type PathCheck = { ok: true } | { ok: false; reason: string };

const MAX_PATH_BYTES = 1024;
const MAX_COMPONENT_BYTES = 255;

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
/**
 * Characters that render as nothing or reorder text, so what a reviewer sees differs from
 * what git stores: format characters (zero-width, bidi controls, BOM, soft hyphen), line and
 * paragraph separators, blank fillers, non-ASCII spaces and unpaired surrogates.
 */
const INVISIBLE =
  /[\p{Cf}\p{Zl}\p{Zp}\p{Cs}\u034f\u115f\u1160\u3164\uffa0\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/u;

const OK: PathCheck = { ok: true };

function fail(reason: string): PathCheck {
  return { ok: false, reason };
}

function codePoint(char: string): string {
  const value = char.codePointAt(0) ?? 0;
  return `U+${value.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * `.git` and the names Windows and macOS file systems treat as `.git`: any case, trailing dots
 * or spaces, an NTFS stream suffix (`.git::$INDEX_ALLOCATION`) and the 8.3 short name `git~1`.
 */
function isGitDirAlias(component: string): boolean {
  const lower = component.toLowerCase();
  const beforeStream = lower.split(':')[0] ?? lower;
  const trimmed = beforeStream.replace(/[. ]+$/u, '');
  return trimmed === '.git' || /^git~\d+$/u.test(trimmed);
}

export function checkPathSyntax(path: string): PathCheck {
  if (path.length === 0) return fail('path is empty');
  if (Buffer.byteLength(path, 'utf8') > MAX_PATH_BYTES) {
    return fail(`path is longer than ${MAX_PATH_BYTES} bytes`);
  }
  const control = CONTROL.exec(path);
  if (control) return fail(`path has a control character (${codePoint(control[0])})`);
  const invisible = INVISIBLE.exec(path);
  if (invisible) {
    return fail(`path has an invisible or bidirectional character (${codePoint(invisible[0])})`);
  }
  if (path !== path.normalize('NFC')) return fail('path is not in Unicode NFC form');
  if (path.includes('\\')) return fail('path has a backslash');
  if (path.startsWith('/')) return fail('path is absolute');
  if (/^[A-Za-z]:/u.test(path)) return fail('path starts with a drive letter');
  if (path.startsWith('./')) return fail('path starts with "./"');
  if (path.endsWith('/')) return fail('path ends with "/"');

  for (const component of path.split('/')) {
    if (component === '') return fail('path has an empty segment ("//")');
    if (component === '.') return fail('path has a "." segment');
    if (component === '..') return fail('path has a ".." segment');
    if (Buffer.byteLength(component, 'utf8') > MAX_COMPONENT_BYTES) {
      return fail(`path has a component longer than ${MAX_COMPONENT_BYTES} bytes`);
    }
    if (isGitDirAlias(component)) {
      return fail(`path has a ".git" component (${JSON.stringify(component)})`);
    }
  }
  return OK;
}

function fold(text: string): string {
  return text.normalize('NFC').toLowerCase();
}

/**
 * Paths are relative to the repository root, so `/config/` and `./config/` (as people write
 * them in .gitignore) mean `config/`; left as they are they would silently deny nothing.
 */
function patternGlob(pattern: string): string {
  return fold(pattern).replace(/^(?:\.?\/)+/u, '').replace(/\/+$/u, '');
}

/** Returns the deny pattern that matches a path, or null. Build once, use for many paths. */
export type DenyMatcher = (path: string) => string | null;

/**
 * Patterns are compared after NFC normalisation and lower-casing on both sides, so `Config/x`
 * cannot slip past `config/`. Like .gitignore, a pattern denies a path when it matches the
 * whole path or one of its leading directories: `dir/`, `dir` and `**\/dir` all deny
 * `dir/x.rs`. A trailing `/` therefore only documents intent; denying too much is the safe
 * side of a mistake here.
 */
export function createDenyMatcher(patterns: readonly string[]): DenyMatcher {
  const compiled = patterns
    .map((pattern) => ({ pattern, glob: patternGlob(pattern) }))
    .filter(({ glob }) => glob !== '')
    .map(({ pattern, glob }) => ({ pattern, regexp: globToRegExp(glob) }));
  return (path) => {
    const components = fold(path).split('/');
    const candidates = components.map((_, index) => components.slice(0, index + 1).join('/'));
    for (const { pattern, regexp } of compiled) {
      if (candidates.some((candidate) => regexp.test(candidate))) return pattern;
    }
    return null;
  };
}

/** Syntax first (a malformed path is never matched), then the deny list plus ALWAYS_DENY. */
export function createPathChecker(deny: readonly string[]): (path: string) => PathCheck {
  const denied = createDenyMatcher([...deny, ...ALWAYS_DENY]);
  return (path) => {
    const syntax = checkPathSyntax(path);
    if (!syntax.ok) return syntax;
    const pattern = denied(path);
    return pattern === null ? OK : fail(`denied by ${JSON.stringify(pattern)}`);
  };
}
