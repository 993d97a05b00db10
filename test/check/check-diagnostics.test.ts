import { describe, expect, it } from 'vitest';
import { cargoError, createDiagnosticsSink, describeDiagnostic, introducedWarnings, withJsonMessages } from '../../src/check/check-diagnostics.js';
import { createOutputBuffer } from '../../src/check/check-output.js';

const E0063 = {
  reason: 'compiler-message',
  package_id: 'regex 1.7.1',
  message: {
    $message_type: 'diagnostic',
    level: 'error',
    message: 'missing field `crlf` in initializer of `Config`',
    code: { code: 'E0063', explanation: '…' },
    spans: [
      { file_name: 'src/lib.rs', line_start: 1, column_start: 1, is_primary: false },
      { file_name: 'src/re_builder.rs', line_start: 212, column_start: 9, is_primary: true },
    ],
    children: [],
    rendered: '\u001b[0m\u001b[1m\u001b[38;5;9merror[E0063]\u001b[0m: missing field `crlf`\n',
  },
};
const UNUSED = {
  reason: 'compiler-message',
  message: { level: 'warning', message: 'unused variable: `x`', code: { code: 'unused_variables' }, spans: [{ file_name: 'src/a.rs', line_start: 3, column_start: 5, is_primary: true }], rendered: 'warning: unused variable: `x`\n' },
};
const ABORTING = { reason: 'compiler-message', message: { level: 'error', message: 'aborting due to 1 previous error', code: null, spans: [], rendered: 'error: aborting due to 1 previous error\n' } };
const ARTIFACT = { reason: 'compiler-artifact', package_id: 'memchr', filenames: ['/x/libmemchr.rmeta'] };

describe('withJsonMessages', () => {
  it('asks cargo check/build/clippy for JSON, and leaves other commands and explicit formats alone', () => {
    expect(withJsonMessages(['cargo', 'check', '--workspace'], true)).toEqual(['cargo', 'check', '--workspace', '--message-format=json-diagnostic-rendered-ansi']);
    expect(withJsonMessages(['cargo', '+nightly', 'clippy', '--', '-D', 'warnings'], true)).toEqual(['cargo', '+nightly', 'clippy', '--message-format=json-diagnostic-rendered-ansi', '--', '-D', 'warnings']);
    expect(withJsonMessages(['cargo', 'fmt', '--check'], true)).toBeNull();
    expect(withJsonMessages(['cargo', 'check', '--message-format=short'], true)).toBeNull();
    expect(withJsonMessages(['make', 'check'], false)).toBeNull();
  });
});

describe('createDiagnosticsSink', () => {
  it("keeps compiler messages as data and shows their rendered text without colours, across chunk boundaries", () => {
    const output = createOutputBuffer(64 * 1024);
    const { sink, diagnostics } = createDiagnosticsSink(output);
    const text = [E0063, ARTIFACT, UNUSED, ABORTING].map((line) => JSON.stringify(line)).join('\n') + '\nplain text line\n';
    const bytes = Buffer.from(text);
    for (let at = 0; at < bytes.length; at += 7) sink.write(bytes.subarray(at, at + 7));
    const found = diagnostics();
    expect(found.errorCount).toBe(1);
    expect(found.warningCount).toBe(1);
    expect(found.errors[0]).toMatchObject({ level: 'error', code: 'E0063', file: 'src/re_builder.rs', line: 212, column: 9 });
    expect(describeDiagnostic(found.errors[0] ?? E0063.message as never)).toBe('E0063 missing field `crlf` in initializer of `Config` (src/re_builder.rs:212)');
    expect(found.warnings[0]).toMatchObject({ code: 'unused_variables', file: 'src/a.rs', line: 3 });
    expect(output.text()).toBe('error[E0063]: missing field `crlf`\nwarning: unused variable: `x`\nerror: aborting due to 1 previous error\nplain text line\n');
  });
});

describe('introducedWarnings', () => {
  /** The diagnostics of a check whose Cargo printed these warnings (as JSON lines). */
  function checkPrinting(warnings: Array<{ code: string; message: string; file: string; line: number }>) {
    const parsed = createDiagnosticsSink(createOutputBuffer(64 * 1024));
    for (const w of warnings) {
      const line = { reason: 'compiler-message', message: { level: 'warning', message: w.message, code: { code: w.code }, spans: [{ file_name: w.file, line_start: w.line, column_start: 1, is_primary: true }], rendered: `warning: ${w.message}\n` } };
      parsed.sink.write(Buffer.from(`${JSON.stringify(line)}\n`));
    }
    return parsed.diagnostics();
  }
  const unusedX = { code: 'unused_variables', message: 'unused variable: `x`', file: 'src/a.rs', line: 3 };
  const deadHelper = { code: 'dead_code', message: 'function `helper` is never used', file: 'src/b.rs', line: 40 };

  it('lists only the warnings the base did not have, by code, message and file, whatever line they moved to', () => {
    const base = checkPrinting([unusedX, deadHelper]);
    // The patch added two lines above both warnings and a new unused variable in another file.
    const patched = checkPrinting([{ ...unusedX, line: 5 }, { ...deadHelper, line: 42 }, { ...unusedX, file: 'src/c.rs', line: 7 }]);
    expect(introducedWarnings(patched, base).map((w) => [w.code, w.file, w.line])).toEqual([['unused_variables', 'src/c.rs', 7]]);
  });

  it('counts repeats: a second warning like one the base had is new', () => {
    const base = checkPrinting([unusedX]);
    const patched = checkPrinting([unusedX, { ...unusedX, line: 9 }]);
    expect(introducedWarnings(patched, base).map((w) => w.line)).toEqual([9]);
    expect(introducedWarnings(base, base)).toEqual([]);
  });
});

describe('cargoError', () => {
  it("reads Cargo's own error and its causes as one line, snippets dropped, the tree's path made relative", () => {
    const toml = [
      'error: could not load Cargo configuration',
      '',
      'Caused by:',
      '  could not parse TOML configuration in `/scrum-apply/tree/.cargo/config.toml`',
      '',
      'Caused by:',
      '  TOML parse error at line 1, column 18',
      '    |',
      '  1 | [source.crates-io',
      '    |                  ^',
      '  unclosed table, expected `]`',
      '',
    ].join('\n');
    expect(cargoError(toml, '/scrum-apply/tree')).toMatchObject({
      level: 'error',
      code: null,
      file: null,
      message: 'could not load Cargo configuration: could not parse TOML configuration in `.cargo/config.toml`: TOML parse error at line 1, column 18 unclosed table, expected `]`',
    });
    const vendor = [
      'error: failed to get `memchr` as a dependency of package `x v0.1.0 (/t/tree)`',
      ...['failed to load source for dependency `memchr`', 'unable to update registry `crates-io`', 'failed to read root of directory source: /t/tree/vendor', 'No such file or directory (os error 2)'].flatMap((cause) => ['', 'Caused by:', `  ${cause}`]),
    ].join('\n');
    expect(cargoError(vendor, '/t/tree')?.message).toBe('failed to get `memchr` as a dependency of package `x v0.1.0 (.)` … failed to read root of directory source: vendor: No such file or directory (os error 2)');
    expect(cargoError('   Compiling x\nwarning: unused\n', '/t')).toBeNull();
  });
});
