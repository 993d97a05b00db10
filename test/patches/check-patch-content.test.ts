import { describe, expect, it } from 'vitest';
import { checkAddedContent, checkPatchContent } from '../../src/patches/check-patch-content.js';

function check(newString: string, oldString = 'let x = 1;'): string | null {
  return checkPatchContent({ old_string: oldString, new_string: newString, rationale: '', confidence: 99 });
}

describe('checkPatchContent', () => {
  it('accepts ordinary mechanical patches', () => {
    expect(check('use std::fmt;\nlet x = 1;')).toBeNull();
    expect(check('let x = 1;\ntracing::info!("loaded {} rows", n);')).toBeNull();
    expect(check('let x = std::env::var("HOME");')).toBeNull();
    expect(check('if env != other { x }')).toBeNull();
    expect(check('let unsafely = 1; let environment = 2; let linked = 3;')).toBeNull();
    expect(check('let s = "naïve café";')).toBeNull();
    expect(check('\tlet x = 1;\r\n')).toBeNull();
  });

  it.each([
    ['include_str!("/etc/passwd")', 'new_string adds include_str! (reads files at compile time)'],
    ['include_str !("x")', 'new_string adds include_str! (reads files at compile time)'],
    ['std::include_bytes!("x")', 'new_string adds include_bytes! (reads files at compile time)'],
    ['include!("x.rs")', 'new_string adds include! (reads files at compile time)'],
    ['env!("GITHUB_TOKEN")', 'new_string adds env! (reads the build environment at compile time)'],
    ['env ! ("GITHUB_TOKEN")', 'new_string adds env! (reads the build environment at compile time)'],
    ['env /* hi /* nested */ */ !("T")', 'new_string adds env! (reads the build environment at compile time)'],
    ['env // line\n !("T")', 'new_string adds env! (reads the build environment at compile time)'],
    ['r#env!("T")', 'new_string adds env! (reads the build environment at compile time)'],
    ['option_env!("T")', 'new_string adds option_env! (reads the build environment at compile time)'],
    ['asm!("nop")', 'new_string adds asm! (inline assembly)'],
    ['global_asm!("nop")', 'new_string adds global_asm! (inline assembly)'],
    ['compile_error!("x")', 'new_string adds compile_error! (breaks the build on purpose)'],
    ['#[link(name = "c")]', 'new_string adds #[link (links native code)'],
    ['# [ link_section = ".init_array" ]', 'new_string adds #[link (links native code)'],
    ['#![link(name = "c")]', 'new_string adds #[link (links native code)'],
    ['#[path = "/tmp/x.rs"] mod m;', 'new_string adds #[path (loads a module from another path)'],
    ['#[no_mangle] pub fn f() {}', 'new_string adds #[no_mangle] (exports a raw symbol)'],
    ['extern "C" { fn system(c: *const u8) -> i32; }', 'new_string adds extern " (declares foreign (FFI) code)'],
    ['extern { fn system(); }', 'new_string adds extern " (declares foreign (FFI) code)'],
    ['unsafe { *p = 1 }', 'new_string adds unsafe (bypasses the compiler’s safety checks)'],
    ['use proc_macro::TokenStream;', 'new_string adds proc_macro (defines procedural macros that run at compile time)'],
    ['#[proc_macro_derive(X)]', 'new_string adds proc_macro (defines procedural macros that run at compile time)'],
    ['// see build.rs', 'new_string adds build.rs (refers to a build script)'],
  ])('refuses a new_string adding %j', (added, reason) => {
    expect(check(`let x = 1;\n${added}`)).toBe(reason);
  });

  it('allows keeping or removing what the old text already had', () => {
    expect(check('unsafe { f(1) }', 'unsafe { f(0) }')).toBeNull();
    expect(check('let a = 1;', 'let a = env!("X");')).toBeNull();
    expect(check('unsafe { f() } unsafe { g() }', 'unsafe { f() }')).toBe('new_string adds unsafe (bypasses the compiler’s safety checks)');
  });

  it.each([
    ['\u200B', 'U+200B'],
    ['\u200D', 'U+200D'],
    ['\u202E', 'U+202E'],
    ['\u2066', 'U+2066'],
    ['\u2069', 'U+2069'],
    ['\uFEFF', 'U+FEFF'],
    ['\u00AD', 'U+00AD'],
    ['\u3164', 'U+3164'],
    ['\u0007', 'U+0007'],
    ['\u001B', 'U+001B'],
    ['\u0000', 'U+0000'],
    ['\u2028', 'U+2028'],
    ['\u00A0', 'U+00A0'],
  ])('refuses invisible or control character %j', (char, code) => {
    expect(check(`let x${char} = 1;`)).toBe(`new_string adds an invisible or control character (${code})`);
  });

  it('refuses look-alike characters and words', () => {
    expect(check('let x = 1\u037E')).toBe('new_string adds a look-alike of ";" (U+037E)');
    expect(check('let x = \uFF11;')).toBe('new_string adds a look-alike of "1" (U+FF11)');
    // Cyrillic "а" in an otherwise Latin identifier.
    expect(check('if \u0430dmin { grant() }')).toBe('new_string adds a word with look-alike letters ("\u0430dmin")');
    // A Cyrillic-only identifier that reads as Latin.
    expect(check('let \u0430 = 1;')).toBe('new_string adds a word with look-alike letters ("\u0430")');
    expect(check('let s = "привет";')).toBeNull();
  });
});

describe('checkAddedContent', () => {
  it('sees a construct completed with the surrounding text', () => {
    const before = 'let s = concat!("a");';
    const after = 'let s = include_str!("a");';
    expect(checkAddedContent(before, after, 'patch')).toBe('patch adds include_str! (reads files at compile time)');
  });

  it('treats an absurd amount of trivia before `!` as hiding a macro call', () => {
    const padded = `env${' '.repeat(1000)}!("X")`;
    expect(checkAddedContent('let a = 1;', padded)).toBe('new_string adds env! (reads the build environment at compile time)');
  });

  it('stays fast on hostile input', () => {
    const hostile = '#/*'.repeat(100_000) + 'env /*'.repeat(50_000);
    const started = performance.now();
    checkAddedContent('', hostile);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
