import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git } from '../helpers/fixture-repo.js';
import { branchOf, createE2eRig, mockCreatePullFor, SHAPES, type E2eRig } from '../helpers/github-e2e.js';
import { expectBodySections, expectMeta, SHAPES_LABELS, SHAPES_PATCHES, SHAPES_TITLE } from '../helpers/github-e2e-expect.js';
import { mockAddLabels, mockListLabels, mockListPulls } from '../helpers/github-mocks.js';

/** 2,000 lines of exactly 100 characters: 200,000 characters of check output, then success. */
const PRINT_LOTS = `#!/bin/sh
i=0
while [ "$i" -lt 2000 ]; do
  printf 'line %05d %s\\n' "$i" '${'x'.repeat(88)}'
  i=$((i + 1))
done
exit 0
`;

let rig: E2eRig;
beforeEach(async () => {
  rig = await createE2eRig({
    extraFiles: {
      'print-lots.sh': PRINT_LOTS,
      // check.command is split on spaces and run without a shell.
      '.github/scrum-apply.yml': 'check:\n  command: sh print-lots.sh\npr:\n  draft: true\n',
    },
  });
});
afterEach(async () => {
  await rig.close();
});

describe('a check that prints 200,000 characters', () => {
  it('still yields a PR body of at most 60,000 characters with every section intact', async () => {
    const base = git(rig.repo.origin, 'rev-parse', 'main').trim();
    const mock = rig.newMock();
    mockListPulls(mock, [[]]);
    mockListLabels(mock, SHAPES_LABELS);
    mockCreatePullFor(mock, branchOf(SHAPES), 1);
    mockAddLabels(mock, 1);
    const result = await rig.run(['--only', SHAPES]);
    expect(result.code).toBe(0);
    mock.done();

    const row = rig.lastRun().get(SHAPES);
    expect(row).toMatchObject({ action: 'pr_opened', check: { command: 'sh print-lots.sh', exit_code: 0, green: true } });
    const created = mock.requests.find((r) => r.method === 'POST' && r.path === '/repos/octo/demo/pulls');
    const request = created?.body as { title?: unknown; body?: unknown } | undefined;
    expect(request?.title).toBe(SHAPES_TITLE);
    expect(created?.body).toMatchObject({ head: branchOf(SHAPES), base: 'main', draft: true });
    const body = String(request?.body);

    expect(body.length).toBeLessThanOrEqual(60_000);
    expect(body.length).toBeGreaterThan(50_000); // cut to fit, not thrown away
    expectBodySections(body);
    expectMeta(body, { file: SHAPES, base, runId: row?.run_id ?? '', patches: SHAPES_PATCHES });
    // The output's tail is kept, its head cut, and the summary says so.
    expect(body).toMatch(/<details><summary>Output \(last [\d,]+ of 20\d,\d{3} characters\)<\/summary>/);
    expect(body).toContain(`line 01999 ${'x'.repeat(88)}`);
    expect(body).not.toContain('line 00000 ');
    // Everything else is whole: the patches, the review and its excerpt, the diff.
    expect(body).toContain('| 1 | import PI for Circle::area | 95 |');
    expect(body).toContain('<details><summary>Review excerpt</summary>');
    expect(body).toContain('Circle::area hard-codes 3.14159; use std::f64::consts::PI.');
    expect(body).toContain('- Command: `sh print-lots.sh`');
    expect(body).toContain('+use std::f64::consts::PI;');
  });
});
