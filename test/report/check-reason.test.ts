import { describe, expect, it } from 'vitest';
import { checkReason, type AuditCheck, type AuditRow } from '../../src/report/audit-row.js';
import { renderPrBody, type PrWarnings } from '../../src/report/pr-body.js';
import { renderResultsMarkdown, renderResultsTable } from '../../src/report/results-table.js';
import type { RunReport } from '../../src/report/run-report.js';
import { createRedactor } from '../../src/log/redact.js';

const RED: AuditCheck = {
  command: 'cargo check --workspace',
  exit_code: 101,
  duration_ms: 900,
  green: false,
  timed_out: false,
  errors: [{ code: 'E0063', message: 'missing field `crlf` in initializer of `Config`', file: 'src/re_builder.rs', line: 212 }],
  warnings: 0,
};

function report(check: AuditCheck): RunReport {
  const row = { file: 'src/re_builder.rs', action: 'build_red_reverted', check } as unknown as AuditRow;
  return {
    runId: 'r1',
    dryRun: true,
    forge: 'none',
    baseBranch: 'main',
    baseSha: 'a'.repeat(40),
    results: [{ file: 'src/re_builder.rs', action: 'build_red_reverted', reason: checkReason(check), pr: null, branch: null, row }],
    skipped: [],
    notProcessed: [],
    reviewRows: 1,
    malformedLines: 0,
    problems: [],
    durationMs: 1000,
  };
}

describe('a red check says why', () => {
  it('the first compiler error, with its code and place, in the table and the step summary', () => {
    expect(checkReason(RED)).toBe('E0063 missing field `crlf` in initializer of `Config` (src/re_builder.rs:212)');
    expect(renderResultsTable(report(RED))).toContain('E0063 missing field `crlf` in initializer of `Config` (src/re_builder.rs:212)');
    expect(renderResultsMarkdown(report(RED))).toContain('E0063 missing field `crlf` in initializer of `Config` (src/re_builder.rs:212)');
  });

  it('a timeout, a check that could not run, or a plain exit code when no compiler message was read', () => {
    expect(checkReason({ ...RED, errors: [], timed_out: true, exit_code: null })).toBe('check timed out after 900 ms');
    expect(checkReason({ ...RED, errors: [], exit_code: null, not_run: '"cargo" was not found' })).toBe('check could not run: "cargo" was not found');
    const { errors: _errors, ...plain } = RED;
    expect(checkReason({ ...plain, command: 'make check', exit_code: 2 })).toBe('check exited 2');
  });
});

describe('the PR body of a green check', () => {
  const secret = 'ghp_' + 'x'.repeat(36);
  const bodyWith = (warnings: PrWarnings) =>
    renderPrBody(
      {
        file: 'src/lib.rs',
        branch: 'scrum-apply/src/lib.rs',
        baseBranch: 'main',
        baseSha: 'b'.repeat(40),
        runId: 'r1',
        patchHash: 'h',
        applied: [{ rationale: 'r', confidence: 95, lines: 1, old_string: 'a', new_string: 'b' }],
        rejected: [],
        review: { file: 'src/lib.rs', reviewedAt: 0, reviewedAtText: '2024-01-01T00:00:00Z', model: 'm', text: 't', confidenceAvg: 95, confidenceMin: 95, tier: 'auto', line: 1 },
        patchModel: 'p',
        check: {
          command: 'cargo check',
          exitCode: 0,
          durationMs: 10,
          output: 'warning: unused variable: `x`\n',
          warnings,
        },
        diff: '',
      },
      60_000,
      createRedactor([secret]),
    );

  it("lists the warnings the patch introduced above the folded output, with file and line, redacted", () => {
    const body = bodyWith({ introduced: true, list: [{ code: 'dead_code', message: `function \`helper\` is never used ${secret}`, file: 'src/util.rs', line: 12 }] });
    const listed = body.indexOf('Compiler warnings the patch introduced (not on the base):');
    expect(listed).toBeGreaterThan(0);
    expect(body).toContain('- `dead_code` function `helper` is never used &#91;REDACTED&#93; (`src/util.rs:12`)');
    expect(listed).toBeLessThan(body.indexOf('<details><summary>Output'));
    expect(body).not.toContain(secret);
  });

  it('lists nothing when the patch introduced no warning', () => {
    expect(bodyWith({ introduced: true, list: [] })).not.toContain('Compiler warnings');
  });

  it("without the base's warnings, lists the compiler's warnings in the patched file, redacted", () => {
    const body = bodyWith({ introduced: false, list: [{ code: 'unused_variables', message: `unused variable: \`x\` ${secret}`, file: 'src/lib.rs', line: 3 }] });
    const listed = body.indexOf('Compiler warnings in `src/lib.rs` after the patch:');
    expect(listed).toBeGreaterThan(0);
    expect(body).toContain('- `unused_variables` unused variable: `x` &#91;REDACTED&#93; (line 3)');
    expect(listed).toBeLessThan(body.indexOf('<details><summary>Output'));
    expect(body).not.toContain(secret);
  });
});
