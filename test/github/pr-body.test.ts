import { describe, expect, it } from 'vitest';
import { parsePrMeta, patchHash, renderPrBody, renderPrTitle, type PrBodyInput } from '../../src/report/pr-body.js';
import { createRedactor } from '../../src/log/redact.js';

const BASE_SHA = '3f2a9c1d5e7b8a0f1c2d3e4f5a6b7c8d9e0f1a2b';

function input(overrides: Partial<PrBodyInput> = {}): PrBodyInput {
  const applied = [
    { rationale: 'Remove the unused `std::fmt::Write` import', confidence: 96, lines: 1, old_string: 'use std::fmt::Write;\n', new_string: '' },
    { rationale: 'Use `is_empty()` instead of `len() == 0`', confidence: 93, lines: 1, old_string: 'len() == 0', new_string: 'is_empty()' },
  ];
  return {
    file: 'crates/core/src/format.rs',
    branch: 'scrum-apply/crates/core/src/format.rs',
    baseBranch: 'main',
    baseSha: BASE_SHA,
    runId: 'run-20240501-abc',
    patchHash: patchHash('crates/core/src/format.rs', applied),
    applied,
    rejected: [{ reason: 'old_string occurs 2 times', rationale: 'Rename `tmp` to `buffer`', confidence: 91 }],
    review: {
      file: 'crates/core/src/format.rs',
      reviewedAt: Date.parse('2024-04-30T12:00:00Z'),
      reviewedAtText: '2024-04-30T12:00:00Z',
      model: 'kimi-k2:1t',
      text: '1. Unused import `std::fmt::Write`.\n2. `len() == 0` should be `is_empty()`.',
      confidenceAvg: 95,
      confidenceMin: 88,
      tier: 'auto',
      line: 12,
    },
    patchModel: 'qwen3-coder:480b',
    check: { command: 'cargo check --workspace', exitCode: 0, durationMs: 12_345, output: '    Checking core v0.1.0\n    Finished `dev` profile in 12.3s\n' },
    diff: [
      'diff --git a/crates/core/src/format.rs b/crates/core/src/format.rs',
      '--- a/crates/core/src/format.rs',
      '+++ b/crates/core/src/format.rs',
      '@@ -1,2 +1 @@',
      '-use std::fmt::Write;',
      ' use std::fmt;',
      '',
    ].join('\n'),
    ...overrides,
  };
}

describe('renderPrBody', () => {
  it('renders a typical body', () => {
    expect(renderPrBody(input(), 60_000)).toMatchInlineSnapshot(`
      "scrum-apply applied 2 mechanical patches to \`crates/core/src/format.rs\`, proposed by \`qwen3-coder:480b\` from a code review by \`kimi-k2:1t\`. The check \`cargo check --workspace\` passed in 12.3 s.

      The branch \`scrum-apply/crates/core/src/format.rs\` was built from \`main\` at \`3f2a9c1d5e7b\` and is rebuilt on later runs. Closing this PR without merging declines the change: the same patch is not proposed again.

      ### Applied patches

      | # | Rationale | Confidence | Lines |
      |---:|---|---:|---:|
      | 1 | Remove the unused \`std::fmt::Write\` import | 96 | 1 |
      | 2 | Use \`is_empty()\` instead of \`len() == 0\` | 93 | 1 |

      ### Rejected patches

      | # | Reason | Rationale | Confidence |
      |---:|---|---|---:|
      | 1 | old_string occurs 2 times | Rename \`tmp\` to \`buffer\` | 91 |

      ### Review

      - Reviewer model: \`kimi-k2:1t\`
      - Confidence: average 95, minimum 88
      - Tier: \`auto\`
      - Reviewed at: \`2024-04-30T12:00:00Z\`

      <details><summary>Review excerpt</summary>

      \`\`\`text
      1. Unused import \`std::fmt::Write\`.
      2. \`len() == 0\` should be \`is_empty()\`.
      \`\`\`

      </details>

      ### Check

      - Command: \`cargo check --workspace\`
      - Exit code: 0
      - Duration: 12.3 s

      <details><summary>Output</summary>

      \`\`\`text
          Checking core v0.1.0
          Finished \`dev\` profile in 12.3s
      \`\`\`

      </details>

      ### Diff

      \`\`\`diff
      diff --git a/crates/core/src/format.rs b/crates/core/src/format.rs
      --- a/crates/core/src/format.rs
      +++ b/crates/core/src/format.rs
      @@ -1,2 +1 @@
      -use std::fmt::Write;
       use std::fmt;
      \`\`\`

      <!-- scrum-apply:meta eyJ2IjoxLCJmaWxlIjoiY3JhdGVzL2NvcmUvc3JjL2Zvcm1hdC5ycyIsImJhc2UiOiIzZjJhOWMxZDVlN2I4YTBmMWMyZDNlNGY1YTZiN2M4ZDllMGYxYTJiIiwicGF0Y2giOiI0YWE1MTdmYzg5YTUwYjA3MDk0OGE1YzdhMWQ0M2E2YTk4YzhlZGZhYmMzOWY5M2I5YjBlOGYzNjUyOTQzZTViIiwicnVuIjoicnVuLTIwMjQwNTAxLWFiYyJ9 -->
      "
    `);
  });

  it('fits 200,000 characters of check output into 60,000 with every section and the meta intact', () => {
    const output = Array.from({ length: 4000 }, (_, i) => `line ${String(i).padStart(5, '0')} ${'x'.repeat(43)}`).join('\n');
    expect(output.length).toBeGreaterThanOrEqual(199_999);
    const huge = input({ check: { ...input().check, output: `${output}\nLAST LINE OF OUTPUT` } });
    const body = renderPrBody(huge, 60_000);
    expect(body.length).toBeLessThanOrEqual(60_000);
    expect(body.length).toBeGreaterThan(55_000);
    for (const heading of ['### Applied patches', '### Rejected patches', '### Review', '### Check', '### Diff']) {
      expect(body).toContain(heading);
    }
    expect(body).toContain('LAST LINE OF OUTPUT');
    expect(body).not.toContain('line 00000');
    expect(body).toContain(huge.review.text);
    expect(body).toContain(huge.diff);
    expect(body).toMatch(/<summary>Output \(last [\d,]+ of [\d,]+ characters\)<\/summary>/);
    expect(parsePrMeta(body)).toEqual({ v: 1, file: huge.file, base: BASE_SHA, patch: huge.patchHash, run: huge.runId });
  });

  it('shrinks the review excerpt too when the output alone is not enough', () => {
    const review = { ...input().review, text: `FIRST ${'r'.repeat(100_000)}` };
    const body = renderPrBody(input({ review, check: { ...input().check, output: 'o'.repeat(100_000) } }), 60_000);
    expect(body.length).toBeLessThanOrEqual(60_000);
    expect(body).toContain('FIRST');
    expect(body).toMatch(/<summary>Review excerpt \(first [\d,]+ of 100,006 characters\)<\/summary>/);
    expect(parsePrMeta(body)?.patch).toBe(input().patchHash);
  });

  it('drops a pathologically large diff rather than exceed the limit, keeping the meta', () => {
    const body = renderPrBody(input({ diff: `+${'d'.repeat(100_000)}\n` }), 60_000);
    expect(body.length).toBeLessThanOrEqual(60_000);
    expect(body).toContain('The diff is too large to show here; see the Files tab.');
    expect(parsePrMeta(body)?.patch).toBe(input().patchHash);
  });

  it('neutralises mentions, references, links, images and HTML in model-written text', () => {
    const hostile =
      'Ping @octocat, see [here](https://evil.example) ![x](https://evil.example/i.png) <img src=x> | cell #12 GH-7 www.evil.example `a|b`';
    const body = renderPrBody(
      input({
        applied: [{ ...input().applied[0]!, rationale: hostile }],
        rejected: [{ reason: hostile, rationale: `${hostile}\n| new | row |`, confidence: null }],
      }),
      60_000,
    );
    const tables = body.slice(body.indexOf('### Applied patches'), body.indexOf('### Review'));
    // Outside code spans, nothing is left that could link, mention, reference or inject HTML.
    const outsideCode = tables.replace(/(`+)[^`]*?\1/g, 'CODE').replace(/&#\d+;/g, 'ENTITY');
    expect(outsideCode).not.toMatch(/@|\]\(|<img|:\/\/|www\.|#\d|GH-\d/);
    expect(tables).toContain('`@octocat,`');
    expect(tables).toContain('`[here](https://evil.example)`');
    expect(tables).toContain('&lt;img src=x&gt;');
    expect(tables).toContain('`#12`');
    expect(tables).toContain('`a\\|b`');
    // Each row stays one row with its own cells: a `|` in the text cannot open a new cell.
    const rows = tables.split('\n').filter((l) => l.startsWith('| 1 |'));
    expect(rows).toHaveLength(2);
    expect(rows[0]?.replace(/\\\|/g, '').split('|')).toHaveLength(6);
    expect(rows[1]?.replace(/\\\|/g, '').split('|')).toHaveLength(6);
  });

  it('chooses fences that backticks in the output, excerpt or diff cannot close', () => {
    const output = 'error: ```` not closed\n```\n<!-- scrum-apply:meta ZmFrZQ== -->\n@octocat [x](https://evil.example)';
    const body = renderPrBody(input({ check: { ...input().check, output, exitCode: 0 }, diff: '+let s = "```";\n' }), 60_000);
    expect(body).toContain('`````text\nerror: ```` not closed\n```\n');
    expect(body).toContain('````diff\n+let s = "```";\n````');
    expect(parsePrMeta(body)?.run).toBe('run-20240501-abc');
  });

  it('redacts secrets in the output when given a redactor', () => {
    const secret = 'ghs_' + 'S'.repeat(36);
    const body = renderPrBody(input({ check: { ...input().check, output: `token=${secret}` } }), 60_000, createRedactor([secret]));
    expect(body).not.toContain(secret);
    expect(body).toContain('token=[REDACTED]');
  });
});

describe('parsePrMeta', () => {
  it('ignores bodies without valid metadata', () => {
    expect(parsePrMeta('a person wrote this')).toBeNull();
    expect(parsePrMeta('<!-- scrum-apply:meta bm90IGpzb24= -->')).toBeNull();
    const wrongShape = Buffer.from(JSON.stringify({ v: 2, file: 'a' })).toString('base64');
    expect(parsePrMeta(`<!-- scrum-apply:meta ${wrongShape} -->`)).toBeNull();
  });
});

describe('renderPrTitle and patchHash', () => {
  it('counts fixes', () => {
    expect(renderPrTitle('src/a.rs', 1)).toBe('scrum-apply: 1 mechanical fix in src/a.rs');
    expect(renderPrTitle('src/a.rs', 2)).toBe('scrum-apply: 2 mechanical fixes in src/a.rs');
  });

  it('hashes the file and the patches stably', () => {
    const a = [{ old_string: 'a', new_string: 'b' }];
    expect(patchHash('f.rs', a)).toBe(patchHash('f.rs', [{ ...a[0]! }]));
    expect(patchHash('f.rs', a)).toMatch(/^[0-9a-f]{64}$/);
    expect(patchHash('g.rs', a)).not.toBe(patchHash('f.rs', a));
    expect(patchHash('f.rs', [{ old_string: 'ab', new_string: '' }])).not.toBe(patchHash('f.rs', [{ old_string: 'a', new_string: 'b' }]));
  });
});
