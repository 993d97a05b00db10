import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git, snapshotRemote } from '../helpers/fixture-repo.js';
import {
  branchOf,
  createE2eRig,
  FORMAT,
  mockCreatePullFor,
  NO_PATCHES,
  pullsAfter,
  RED,
  REJECTED,
  SHAPES,
  writesPerPr,
  type E2eRig,
} from '../helpers/github-e2e.js';
import {
  expectBodySections,
  expectMeta,
  FORMAT_LABELS,
  FORMAT_PATCHES,
  FORMAT_TITLE,
  labelCreation,
  SHAPES_LABELS,
  SHAPES_PATCHES,
  SHAPES_TITLE,
} from '../helpers/github-e2e-expect.js';
import { mockAddLabels, mockCreateLabel, mockListLabels, mockListPulls, type GitHubMock } from '../helpers/github-mocks.js';

const NUMBERS: Record<string, number> = { [branchOf(SHAPES)]: 1, [branchOf(FORMAT)]: 2 };
const numberOfHead = (head: string) => NUMBERS[head] ?? 0;

let rig: E2eRig;
beforeEach(async () => {
  rig = await createE2eRig();
});
afterEach(async () => {
  await rig.close();
});

/** The first run on a repository without bot PRs or labels: two PRs, eleven labels. */
function mockFirstRun(): GitHubMock {
  const mock = rig.newMock();
  mockListPulls(mock, [[]]);
  mockListLabels(mock, []);
  mockCreateLabel(mock, { times: new Set([...SHAPES_LABELS, ...FORMAT_LABELS]).size });
  mockCreatePullFor(mock, branchOf(SHAPES), 1);
  mockCreatePullFor(mock, branchOf(FORMAT), 2);
  mockAddLabels(mock, 1);
  mockAddLabels(mock, 2);
  return mock;
}

describe('scrum-apply run --apply --forge github, first run', () => {
  it('opens one labelled PR per green file, none for red, rejected or patchless files', async () => {
    const base = git(rig.repo.origin, 'rev-parse', 'main').trim();
    const mock = mockFirstRun();
    const summary = join(rig.repo.root, 'step-summary.md');
    writeFileSync(summary, '## Earlier step\n\n');

    const result = await rig.run([], { GITHUB_STEP_SUMMARY: summary });
    expect(result.stderr).not.toMatch(/run failed/);
    expect(result.code).toBe(0);
    mock.done();

    // The audit rows: PRs for the two green files, the right outcome for every other one.
    const rows = rig.lastRun();
    expect(Object.fromEntries([...rows].map(([file, row]) => [file, row.action]))).toEqual({
      [SHAPES]: 'pr_opened',
      [FORMAT]: 'pr_opened',
      [RED]: 'build_red_reverted',
      [REJECTED]: 'all_rejected',
      [NO_PATCHES]: 'no_patches',
    });
    expect(rows.get(SHAPES)?.pr).toEqual({ number: 1, url: 'https://github.com/octo/demo/pull/1' });
    expect(rows.get(FORMAT)?.pr).toEqual({ number: 2, url: 'https://github.com/octo/demo/pull/2' });
    for (const file of [RED, REJECTED, NO_PATCHES]) expect(rows.get(file)?.pr).toBeNull();
    const runId = rows.get(SHAPES)?.run_id ?? '';

    // The bot's labels are listed once and each distinct one created once, with its family's colour.
    expect(mock.requests.filter((r) => r.method === 'GET').map((r) => r.path)).toEqual([
      '/repos/octo/demo/pulls?state=all&per_page=100',
      '/repos/octo/demo/labels?per_page=100',
    ]);
    const created = mock.writes().filter((r) => r.path === '/repos/octo/demo/labels');
    const distinct = [...new Set([...SHAPES_LABELS, ...FORMAT_LABELS])].sort();
    expect(created.map((r) => r.body)).toEqual(expect.arrayContaining(distinct.map(labelCreation)));
    expect(created).toHaveLength(distinct.length);

    // Per PR: create it, label it; nothing else (≤ 3 writes for a new PR).
    const perPr = writesPerPr(mock, numberOfHead);
    expect([...perPr.keys()].sort()).toEqual([1, 2]);
    for (const [number, writes] of perPr) {
      expect(writes.length, `writes for PR #${number}`).toBeLessThanOrEqual(3);
      expect(writes.map((w) => `${w.method} ${w.path}`)).toEqual(['POST /repos/octo/demo/pulls', `POST /repos/octo/demo/issues/${number}/labels`]);
    }
    const [shapesPr, shapesLabels] = perPr.get(1) ?? [];
    const [formatPr, formatLabels] = perPr.get(2) ?? [];
    expect(shapesLabels?.body).toEqual({ labels: SHAPES_LABELS });
    expect(formatLabels?.body).toEqual({ labels: FORMAT_LABELS });

    // The PR requests themselves: head, base, title, draft and the whole body template.
    const shapesBody = String((shapesPr?.body as { body?: unknown } | undefined)?.body);
    const formatBody = String((formatPr?.body as { body?: unknown } | undefined)?.body);
    expect(shapesPr?.body).toEqual({ title: SHAPES_TITLE, head: branchOf(SHAPES), base: 'main', body: shapesBody, draft: false });
    expect(formatPr?.body).toEqual({ title: FORMAT_TITLE, head: branchOf(FORMAT), base: 'main', body: formatBody, draft: false });
    for (const body of [shapesBody, formatBody]) {
      expectBodySections(body);
      expect(body.length).toBeLessThanOrEqual(60_000);
    }
    expect(shapesBody).toMatch(
      /^scrum-apply applied 2 mechanical patches to `crates\/geometry\/src\/shapes\.rs`, proposed by `qwen3-coder:480b` from a code review by `kimi-k2:1t`\. The check `cargo check --workspace` passed in /,
    );
    expect(shapesBody).toContain('| 1 | import PI for Circle::area | 95 |');
    expect(shapesBody).toContain('| 2 | use the exact constant instead of 3.14159 | 94 |');
    expect(shapesBody).toMatch(/### Rejected patches\n\nNone\./);
    expect(shapesBody).toContain('- Confidence: average 96, minimum 90');
    expect(shapesBody).toContain('- Reviewed at: `2026-11-21T09:00:00Z`');
    expect(shapesBody).toContain('Rect::is_square is public, so #[allow(dead_code)] is noise.');
    expect(shapesBody).toContain('- Exit code: 0');
    expect(shapesBody).toContain('+use std::f64::consts::PI;');
    expect(shapesBody).toContain('-        3.14159 * self.radius * self.radius');
    expect(shapesBody).toContain(`\`${base.slice(0, 12)}\``);
    expectMeta(shapesBody, { file: SHAPES, base, runId, patches: SHAPES_PATCHES });
    expectMeta(formatBody, { file: FORMAT, base, runId, patches: FORMAT_PATCHES });

    // The branches were pushed: one bot commit on the base each; nothing for the others.
    const branches = git(rig.repo.origin, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/scrum-apply/').trim().split('\n');
    expect(branches.sort()).toEqual([branchOf(SHAPES), branchOf(FORMAT)].sort());
    for (const file of [SHAPES, FORMAT]) {
      expect(git(rig.repo.origin, 'rev-parse', `${branchOf(file)}^`).trim()).toBe(base);
      expect(git(rig.repo.origin, 'diff', '--name-only', base, branchOf(file)).trim()).toBe(file);
      // The audit row names the commit it pushed (what `scrum-apply stats` compares a merged head with).
      expect(rows.get(file)?.head_sha).toBe(git(rig.repo.origin, 'rev-parse', branchOf(file)).trim());
    }
    for (const file of [RED, REJECTED, NO_PATCHES]) expect(rows.get(file)?.head_sha).toBeNull();

    // The results table, on stdout and appended to the step summary.
    expect(result.stdout).toMatch(/crates\/geometry\/src\/shapes\.rs\s+PR opened\s+https:\/\/github\.com\/octo\/demo\/pull\/1/);
    const markdown = readFileSync(summary, 'utf8');
    expect(markdown.startsWith('## Earlier step\n\n')).toBe(true);
    expect(markdown).toContain('| file | outcome | PR | reason |');
    expect(markdown).toContain(`| \`${SHAPES}\` | PR opened | [#1](https://github.com/octo/demo/pull/1) |`);
    expect(markdown).toContain(`| \`${FORMAT}\` | PR opened | [#2](https://github.com/octo/demo/pull/2) |`);
    expect(markdown).toContain(`| \`${RED}\` | check red, discarded |`);
  });

  it('a second run with nothing new makes no write request and pushes nothing', async () => {
    const first = mockFirstRun();
    expect((await rig.run()).code).toBe(0);
    first.done();
    const remote = snapshotRemote(rig.repo.origin);

    const mock = rig.newMock();
    mockListPulls(mock, [pullsAfter(first, numberOfHead)]);
    const result = await rig.run();
    expect(result.code).toBe(0);
    mock.done();

    expect(mock.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /repos/octo/demo/pulls?state=all&per_page=100']);
    expect(mock.writes()).toEqual([]);
    expect(snapshotRemote(rig.repo.origin)).toBe(remote);
    const rows = rig.lastRun();
    // Nothing pushed, nothing vouched for: the first run's row named the commit.
    expect(rows.get(SHAPES)).toMatchObject({ action: 'pr_unchanged', pr: { number: 1, url: 'https://github.com/octo/demo/pull/1' }, head_sha: null });
    expect(rows.get(FORMAT)).toMatchObject({ action: 'pr_unchanged', pr: { number: 2, url: 'https://github.com/octo/demo/pull/2' }, head_sha: null });
    expect(result.stdout).toMatch(/shapes\.rs\s+PR unchanged/);
  });
});
