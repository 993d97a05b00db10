import type { Patch } from './patch-types.js';

/**
 * What a patch may not add. The check (`cargo check`) runs repository code at build time, so a
 * patch that reads files, the environment or links native code at compile time would run with
 * whatever the check can reach; and the PR is reviewed by people, so text that renders
 * differently from what the compiler sees is refused as well.
 */
interface ForbiddenConstruct {
  label: string;
  why: string;
  /** Start positions of the construct in `text`. */
  find(text: string): number;
}

/**
 * More whitespace and comment text than this between two tokens is treated as hiding something:
 * the scan stops there and the construct counts as present. Bounds the work on hostile input.
 */
const MAX_TRIVIA = 256;

/**
 * Skips whitespace and comments (Rust block comments nest), so `env !(` split by a comment is still seen.
 * Returns -1 past MAX_TRIVIA characters.
 */
function skipTrivia(text: string, start: number): number {
  let i = start;
  while (i < text.length) {
    if (i - start > MAX_TRIVIA) return -1;
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') {
      i += 1;
    } else if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end + 1;
    } else if (c === '/' && text[i + 1] === '*') {
      let depth = 1;
      i += 2;
      while (i < text.length && depth > 0) {
        if (i - start > MAX_TRIVIA) return -1;
        if (text[i] === '/' && text[i + 1] === '*') {
          depth += 1;
          i += 2;
        } else if (text[i] === '*' && text[i + 1] === '/') {
          depth -= 1;
          i += 2;
        } else {
          i += 1;
        }
      }
    } else {
      break;
    }
  }
  return i;
}

/** Occurrences of the identifier `name` (not part of a longer one) where `accept` holds after it. */
function countIdent(text: string, name: string, prefix: boolean, accept: (after: number) => boolean): number {
  const pattern = new RegExp(`(?<![A-Za-z0-9_])${name}${prefix ? '' : '(?![A-Za-z0-9_])'}`, 'g');
  let count = 0;
  for (const match of text.matchAll(pattern)) {
    const index = match.index ?? 0;
    if (accept(index + match[0].length)) count += 1;
  }
  return count;
}

/** `name!` as a macro call; `name != x` is a comparison, not a call. */
function macro(name: string, why: string): ForbiddenConstruct {
  return {
    label: `${name}!`,
    why,
    find: (text) =>
      countIdent(text, name, false, (after) => {
        const bang = skipTrivia(text, after);
        return bang < 0 || (text[bang] === '!' && text[bang + 1] !== '=');
      }),
  };
}

/** `#[name…]` or `#![name…]`, with any whitespace or comments between the tokens. */
function attribute(name: string, why: string, label = `#[${name}`): ForbiddenConstruct {
  return {
    label,
    why,
    find: (text) => {
      let count = 0;
      for (const match of text.matchAll(/#/g)) {
        let i = skipTrivia(text, (match.index ?? 0) + 1);
        if (i >= 0 && text[i] === '!') i = skipTrivia(text, i + 1);
        if (i >= 0 && text[i] !== '[') continue;
        if (i >= 0) i = skipTrivia(text, i + 1);
        if (i < 0 || text.startsWith(name, i)) count += 1;
      }
      return count;
    },
  };
}

function word(name: string, why: string, prefix = false): ForbiddenConstruct {
  return { label: name, why, find: (text) => countIdent(text, name, prefix, () => true) };
}

const FORBIDDEN: ForbiddenConstruct[] = [
  macro('include_str', 'reads files at compile time'),
  macro('include_bytes', 'reads files at compile time'),
  macro('include', 'reads files at compile time'),
  macro('env', 'reads the build environment at compile time'),
  macro('option_env', 'reads the build environment at compile time'),
  macro('asm', 'inline assembly'),
  macro('global_asm', 'inline assembly'),
  macro('compile_error', 'breaks the build on purpose'),
  attribute('link', 'links native code'),
  attribute('path', 'loads a module from another path'),
  attribute('no_mangle', 'exports a raw symbol', '#[no_mangle]'),
  attribute('export_name', 'exports a raw symbol'),
  {
    // `extern "C"`, `extern {` and `extern fn` all declare or define foreign code.
    label: 'extern "',
    why: 'declares foreign (FFI) code',
    find: (text) =>
      countIdent(text, 'extern', false, (after) => {
        const next = skipTrivia(text, after);
        if (next < 0) return true;
        return text[next] === '"' || text[next] === '{' || /^(?:r#)?fn(?![A-Za-z0-9_])/.test(text.slice(next, next + 5));
      }),
  },
  word('unsafe', 'bypasses the compiler’s safety checks'),
  word('proc_macro', 'defines procedural macros that run at compile time', true),
  { label: 'build.rs', why: 'refers to a build script', find: (text) => text.split('build.rs').length - 1 },
];

/**
 * Characters that look like nothing or like something else: bidi overrides and isolates, zero
 * width characters, BOM, other format and default-ignorable characters, controls other than tab,
 * LF and CR, line/paragraph separators and non-ASCII spaces.
 */
const INVISIBLE =
  /[\p{Cf}\p{Default_Ignorable_Code_Point}\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF\p{Zl}\p{Zp}]|[^\P{Cc}\t\n\r]|[^\P{Zs} ]/gu;

/** Cyrillic and Greek letters that pass for Latin ones in most fonts. */
const LOOKALIKE_LETTERS = new Set(
  [...'аеорсхуіјѕԁԛԝһӏґАВЕКМНОРСТХЅІЈԌԚԜοαινρτυχκϲΑΒΕΖΗΙΚΜΝΟΡΤΥΧ'],
);

function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Each suspicious character or word of `text`, keyed by what a reason should say about it. */
function suspiciousUnicode(text: string): Map<string, number> {
  const found = new Map<string, number>();
  const add = (key: string) => found.set(key, (found.get(key) ?? 0) + 1);
  for (const match of text.matchAll(INVISIBLE)) add(`an invisible or control character (${codePoint(match[0])})`);
  for (const char of text) {
    if (char.charCodeAt(0) < 0x80) continue;
    // Compatibility forms (full-width letters, U+037E GREEK QUESTION MARK = `;`) fold to ASCII.
    if (/^[\x20-\x7e]+$/.test(char.normalize('NFKC'))) add(`a look-alike of "${char.normalize('NFKC')}" (${codePoint(char)})`);
  }
  for (const match of text.matchAll(/[\p{L}\p{M}\p{N}_]+/gu)) {
    const token = match[0];
    if (!/[^\x00-\x7f]/.test(token)) continue;
    const chars = [...token];
    const mixesScripts = /[A-Za-z0-9_]/.test(token) && chars.some((c) => /\p{L}/u.test(c) && !/\p{Script=Latin}/u.test(c));
    const allLookalike = chars.every((c) => /[A-Za-z0-9_]/.test(c) || LOOKALIKE_LETTERS.has(c));
    if (mixesScripts || allLookalike) add(`a word with look-alike letters ("${token.slice(0, 40)}")`);
  }
  return found;
}

/**
 * Why the change from `before` to `after` is refused, or null: it adds (has more occurrences
 * after than before) a forbidden construct or suspicious Unicode. Comparing counts lets a patch
 * keep or remove such code, only not introduce it. `subject` names the text in the reason.
 */
export function checkAddedContent(before: string, after: string, subject = 'new_string'): string | null {
  for (const construct of FORBIDDEN) {
    if (construct.find(after) > construct.find(before)) return `${subject} adds ${construct.label} (${construct.why})`;
  }
  const old = suspiciousUnicode(before);
  for (const [what, count] of suspiciousUnicode(after)) {
    if (count > (old.get(what) ?? 0)) return `${subject} adds ${what}`;
  }
  return null;
}

/** The content policy for one patch: the reason it is refused, or null. */
export function checkPatchContent(patch: Patch): string | null {
  return checkAddedContent(patch.old_string, patch.new_string);
}
