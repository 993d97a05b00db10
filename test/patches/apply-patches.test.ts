import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { applyPatches, countLines } from '../../src/patches/apply-patches.js';
import type { Patch } from '../../src/patches/patch-types.js';
import { planPromptSource, wasShown } from '../../src/patches/prompt-source.js';

const rules = { minConfidence: 90, maxPatchLines: 6, maxPatchesPerFile: 2 };

function patch(old_string: string, new_string: string, extra: Partial<Patch> = {}): Patch {
  return { old_string, new_string, rationale: `${old_string} → ${new_string}`, confidence: 95, ...extra };
}

const source = ['use std::io;', '', 'fn main() {', '    let debug = false;', '    run(debug);', '}', ''].join('\n');

describe('applyPatches', () => {
  it('applies a passing patch and reports it', () => {
    const p = patch('use std::io;\n', 'use std::io;\nuse std::fmt;\n');
    const result = applyPatches(source, [p], rules);
    expect(result.content).toBe(source.replace('use std::io;\n', 'use std::io;\nuse std::fmt;\n'));
    expect(result.applied).toEqual([{ rationale: p.rationale, confidence: 95, lines: 2, old_string: p.old_string, new_string: p.new_string }]);
    expect(result.rejected).toEqual([]);
  });

  it('rejects a patch to text the model was not shown (a large file shown in parts)', () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `    let v${i + 1} = ${i + 1};`);
    const big = `fn main() {\n${lines.join('\n')}\n}\n`;
    const view = planPromptSource(big, 'see line 100', 20_000);
    expect(view.type).toBe('regions');
    const shownEdit = patch('    let v100 = 100;', '    let v100 = 101;');
    const hiddenEdit = patch('    let v2500 = 2500;', '    let v2500 = 2501;');
    const result = applyPatches(big, [shownEdit, hiddenEdit], { ...rules, wasShown: (old) => wasShown(view, old) });
    expect(result.applied.map((a) => a.old_string)).toEqual(['    let v100 = 100;']);
    expect(result.rejected).toEqual([{ reason: 'outside the text shown to the model', rationale: hiddenEdit.rationale, confidence: 95 }]);
    expect(result.content).toContain('let v100 = 101;');
    expect(result.content).toContain('let v2500 = 2500;');
  });

  it('rejects low confidence', () => {
    const result = applyPatches(source, [patch('false', 'true', { confidence: 89 })], rules);
    expect(result.content).toBe(source);
    expect(result.applied).toEqual([]);
    expect(result.rejected).toEqual([{ reason: 'confidence 89 < minConfidence 90', rationale: 'false → true', confidence: 89 }]);
  });

  it('rejects an old_string that is missing or not unique', () => {
    const result = applyPatches('a();\nb();\na();\na();\n', [patch('c();', 'd();'), patch('a();', 'e();')], rules);
    expect(result.rejected.map((r) => r.reason)).toEqual(['old_string not found', 'old_string occurs 3 times']);
    expect(result.content).toBe('a();\nb();\na();\na();\n');
  });

  it('counts overlapping occurrences as not unique', () => {
    const result = applyPatches('let s = "aaa";\n', [patch('aa', 'bb')], rules);
    expect(result.rejected.map((r) => r.reason)).toEqual(['old_string occurs 2 times']);
  });

  it('rejects a patch larger than maxPatchLines', () => {
    const many = Array.from({ length: 9 }, (_, i) => `    log(${i});`).join('\n');
    const result = applyPatches(source, [patch('    run(debug);', many)], rules);
    expect(result.rejected.map((r) => r.reason)).toEqual(['patch too large (9 lines, max 6)']);
    expect(result.content).toBe(source);
    expect(countLines('a\nb\n')).toBe(2);
    expect(countLines('a\nb')).toBe(2);
    expect(countLines('')).toBe(0);
  });

  it('applies at most maxPatchesPerFile and labels exactly the patches applied', () => {
    const p1 = patch('use std::io;', 'use std::io::{self, Read};');
    const bad = patch('nope', 'x');
    const p2 = patch('false', 'true');
    const p3 = patch('run(debug)', 'run(!debug)');
    const result = applyPatches(source, [p1, bad, p2, p3], rules);
    expect(result.applied.map((a) => a.rationale)).toEqual([p1.rationale, p2.rationale]);
    expect(result.rejected).toEqual([
      { reason: 'old_string not found', rationale: bad.rationale, confidence: 95 },
      { reason: 'over the limit of 2 patches per file', rationale: p3.rationale, confidence: 95 },
    ]);
    expect(result.content).toContain('use std::io::{self, Read};');
    expect(result.content).toContain('let debug = true;');
    expect(result.content).toContain('run(debug);');
  });

  it('applies the content policy first', () => {
    const result = applyPatches(source, [patch('false', 'env!("TOKEN") == "x"', { confidence: 10 })], rules);
    expect(result.rejected.map((r) => r.reason)).toEqual(['new_string adds env! (reads the build environment at compile time)']);
  });

  it('refuses a forbidden construct completed by the code around the patch', () => {
    const text = 'const S: &str = concat!("a");\n';
    const result = applyPatches(text, [patch('concat', 'include_str')], rules);
    expect(result.rejected.map((r) => r.reason)).toEqual([
      'patch adds include_str! (reads files at compile time) together with the surrounding code',
    ]);
    expect(result.content).toBe(text);
  });

  it('rejects empty and no-op patches', () => {
    const result = applyPatches(source, [patch('', 'x'), patch('false', 'false'), patch('false\r\n', 'false\n')], rules);
    expect(result.rejected.map((r) => r.reason)).toEqual([
      'old_string is empty',
      'old_string equals new_string (no change)',
      'old_string equals new_string (no change)',
    ]);
  });

  it('applies patches progressively: the second may match text the first created', () => {
    const first = patch('let debug = false;', 'let debug = false;\n    let verbose = false;');
    const second = patch('let verbose = false;', 'let verbose = true;');
    const result = applyPatches(source, [first, second], rules);
    expect(result.rejected).toEqual([]);
    expect(result.applied).toHaveLength(2);
    expect(result.content).toBe(source.replace('let debug = false;', 'let debug = false;\n    let verbose = true;'));
  });

  it('sees the text a previous patch removed as gone', () => {
    const result = applyPatches(source, [patch('    run(debug);\n', ''), patch('run(debug)', 'go(debug)')], rules);
    expect(result.rejected.map((r) => r.reason)).toEqual(['old_string not found']);
    expect(result.content).toBe(source.replace('    run(debug);\n', ''));
  });

  it('keeps a CRLF file CRLF, byte for byte outside the edited span', () => {
    const crlf = source.split('\n').join('\r\n');
    const result = applyPatches(crlf, [patch('use std::io;\n', 'use std::io;\nuse std::fmt;\n')], rules);
    expect(result.rejected).toEqual([]);
    expect(result.content).toBe('use std::io;\r\nuse std::fmt;\r\n' + crlf.slice('use std::io;\r\n'.length));
    expect(Buffer.from(result.content).includes(Buffer.from('\n\n'))).toBe(false);
    expect(result.content.replace(/\r\n/g, '').includes('\n')).toBe(false);
  });

  it('patches the demo workspace\'s CRLF file with every other byte unchanged', async () => {
    const bytes = await readFile(new URL('../../examples/demo-workspace/crates/report/src/format.rs', import.meta.url));
    const text = bytes.toString('utf8');
    const result = applyPatches(text, [patch("    line.push(':');\n", "    line.push(':');\n    line.push(' ');\n")], rules);
    expect(result.rejected).toEqual([]);
    const at = bytes.indexOf(Buffer.from("    line.push(':');\r\n")) + "    line.push(':');\r\n".length;
    const expected = Buffer.concat([bytes.subarray(0, at), Buffer.from("    line.push(' ');\r\n"), bytes.subarray(at)]);
    expect(Buffer.from(result.content, 'utf8').equals(expected)).toBe(true);
  });

  it('matches CRLF patch strings against an LF file and writes LF', () => {
    const result = applyPatches(source, [patch('fn main() {\r\n    let debug', 'fn main() {\r\n    let trace')], rules);
    expect(result.rejected).toEqual([]);
    expect(result.content).toBe(source.replace('let debug', 'let trace'));
    expect(result.content).not.toContain('\r');
  });

  it('leaves mixed line endings untouched outside the edited span', () => {
    const mixed = 'a();\r\nb();\nc();\r\nd();\ne();\r\n';
    // Edit b() (LF line): inserted breaks get LF.
    const lf = applyPatches(mixed, [patch('b();\n', 'b();\nb2();\n')], rules);
    expect(lf.content).toBe('a();\r\nb();\nb2();\nc();\r\nd();\ne();\r\n');
    // Edit across c() (CRLF line) and d(): inserted breaks get CRLF; the rest is as it was.
    const crlf = applyPatches(mixed, [patch('c();\nd();', 'c();\nc2();\nd();')], rules);
    expect(crlf.content).toBe('a();\r\nb();\nc();\r\nc2();\r\nd();\ne();\r\n');
    // A span ending at a CRLF's line break takes the whole CRLF.
    const whole = applyPatches(mixed, [patch('a();\n', '')], rules);
    expect(whole.content).toBe('b();\nc();\r\nd();\ne();\r\n');
    // A lone CR is not a line ending and is left as it is.
    const lone = applyPatches('x();\ry();\n', [patch('y();', 'z();')], rules);
    expect(lone.content).toBe('x();\rz();\n');
  });

  it('inserts new_string literally, `$&` and all', () => {
    const result = applyPatches(source, [patch('run(debug);', 'run(debug); // $& $1 $$ $` $\'')], rules);
    expect(result.content).toContain("run(debug); // $& $1 $$ $` $'\n");
  });

  it('refuses to patch a file that is not text', () => {
    const binary = 'abc\0def';
    const result = applyPatches(binary, [patch('abc', 'xyz')], rules);
    expect(result).toEqual({
      content: binary,
      applied: [],
      rejected: [{ reason: 'file is not text (contains NUL)', rationale: 'abc → xyz', confidence: 95 }],
    });
  });
});
