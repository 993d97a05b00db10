import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git, snapshotRemote } from '../helpers/fixture-repo.js';
import {
  branchOf,
  createE2eRig,
  FORMAT,
  mockAddLabelsOptionally,
  mockCreatePullFor,
  pullsAfter,
  SHAPES,
  writesPerPr,
  type E2eRig,
} from '../helpers/github-e2e.js';
import { expectBodySections, expectMeta, FORMAT_LABELS, labelCreation, SHAPES_LABELS, SHAPES_PATCHES, SHAPES_TITLE } from '../helpers/github-e2e-expect.js';
import {
  mockAddLabels,
  mockCreateLabel,
  mockListLabels,
  mockListPulls,
  mockSetLabels,
  mockUpdatePull,
  pullPayload,
  type GitHubMock,
} from '../helpers/github-mocks.js';

/** A different patch for shapes.rs than the recorded one: one fix instead of two. */
const ONE_FIX = JSON.stringify({
  patches: [
    {
      old_string: '        3.14159 * self.radius * self.radius',
      new_string: '        std::f64::consts::PI * self.radius * self.radius',
      rationale: 'use the exact constant',
      confidence: 95,
    },
  ],
});
const ONE_FIX_PATCHES = [{ old_string: '        3.14159 * self.radius * self.radius', new_string: '        std::f64::consts::PI * self.radius * self.radius' }];
const ONE_FIX_LABELS = SHAPES_LABELS.map((name) => (name === 'patches:2' ? 'patches:1' : name));

const numberOfHead = (head: string) => (head === branchOf(SHAPES) ? 1 : 2);

let rig: E2eRig;
beforeEach(async () => {
  rig = await createE2eRig();
});
afterEach(async () => {
  await rig.close();
});

/** Run once for shapes.rs alone: PR #1 opened, its branch pushed. */
async function openShapesPr(): Promise<GitHubMock> {
  const mock = rig.newMock();
  mockListPulls(mock, [[]]);
  mockListLabels(mock, []);
  mockCreateLabel(mock, { times: SHAPES_LABELS.length });
  mockCreatePullFor(mock, branchOf(SHAPES), 1);
  mockAddLabels(mock, 1);
  const result = await rig.run(['--only', SHAPES]);
  expect(result.code).toBe(0);
  mock.done();
  expect(rig.lastRun().get(SHAPES)?.action).toBe('pr_opened');
  return mock;
}

describe('a file whose PR already exists', () => {
  it('a new patch force-pushes the branch, updates title and body, and keeps a label a person added', async () => {
    const first = await openShapesPr();
    const base = git(rig.repo.origin, 'rev-parse', 'main').trim();
    const before = git(rig.repo.origin, 'rev-parse', branchOf(SHAPES)).trim();

    // A newer review of the file: its inputs changed, so the model is asked again.
    rig.newerReview(SHAPES);
    rig.answer(SHAPES, ONE_FIX);
    const mock = rig.newMock();
    const listed = pullsAfter(first, numberOfHead, ({ labels }) => ({ labels: [...labels, 'needs-review'] }));
    mockListPulls(mock, [listed]);
    mockUpdatePull(mock, { number: 1, head: branchOf(SHAPES), labels: [...SHAPES_LABELS, 'needs-review'] });
    mockListLabels(mock, [...SHAPES_LABELS, 'needs-review']);
    mockCreateLabel(mock);
    mockSetLabels(mock, 1);
    const result = await rig.run(['--only', SHAPES]);
    expect(result.code).toBe(0);
    mock.done();

    const row = rig.lastRun().get(SHAPES);
    expect(row).toMatchObject({ action: 'pr_updated', pr: { number: 1, url: 'https://github.com/octo/demo/pull/1' }, error: null });

    // The branch was rebuilt from the base (not stacked on the old commit) and force-pushed.
    const after = git(rig.repo.origin, 'rev-parse', branchOf(SHAPES)).trim();
    expect(after).not.toBe(before);
    expect(git(rig.repo.origin, 'rev-parse', `${branchOf(SHAPES)}^`).trim()).toBe(base);
    expect(git(rig.repo.origin, 'rev-list', '--count', `main..${branchOf(SHAPES)}`).trim()).toBe('1');
    expect(git(rig.repo.origin, 'show', `${branchOf(SHAPES)}:${SHAPES}`)).toContain('        std::f64::consts::PI * self.radius * self.radius');

    // Exactly: PATCH title+body, create the one new label, PUT the merged label set.
    const patch = mock.writes().find((w) => w.method === 'PATCH');
    const body = String((patch?.body as { body?: unknown } | undefined)?.body);
    expect(mock.writes().map((w) => [w.method, w.path, w.body])).toEqual([
      ['PATCH', '/repos/octo/demo/pulls/1', { title: 'scrum-apply: 1 mechanical fix in crates/geometry/src/shapes.rs', body }],
      ['POST', '/repos/octo/demo/labels', labelCreation('patches:1')],
      ['PUT', '/repos/octo/demo/issues/1/labels', { labels: ['needs-review', ...ONE_FIX_LABELS] }],
    ]);
    expect(writesPerPr(mock, numberOfHead).get(1)).toHaveLength(2);
    expectBodySections(body);
    expect(body).toContain('| 1 | use the exact constant | 95 |');
    expect(body).toContain('+        std::f64::consts::PI * self.radius * self.radius');
    expectMeta(body, { file: SHAPES, base, runId: row?.run_id ?? '', patches: ONE_FIX_PATCHES });
  });

  it('rebaseWhen: behind-base — the same patch on a moved base rebuilds the branch from the PR\'s own patches (no model call) and rewrites only the body: one write, no label request', async () => {
    const first = await openShapesPr();
    const before = git(rig.repo.origin, 'rev-parse', branchOf(SHAPES)).trim();
    rig.repo.write('NOTES.md', 'an unrelated change on main\n');
    rig.repo.write('.github/scrum-apply.yml', 'rebaseWhen: behind-base\n');
    const base = rig.repo.commitAll('notes');
    const asked = rig.llm.requests.length;

    const mock = rig.newMock();
    mockListPulls(mock, [pullsAfter(first, numberOfHead)]);
    mockUpdatePull(mock, { number: 1, head: branchOf(SHAPES), labels: SHAPES_LABELS });
    const result = await rig.run(['--only', SHAPES]);
    expect(result.code).toBe(0);
    mock.done();
    expect(rig.llm.requests.length).toBe(asked);

    const row = rig.lastRun().get(SHAPES);
    expect(row).toMatchObject({ action: 'pr_updated', pr: { number: 1 } });
    expect(git(rig.repo.origin, 'rev-parse', `${branchOf(SHAPES)}^`).trim()).toBe(base);
    expect(git(rig.repo.origin, 'rev-parse', branchOf(SHAPES)).trim()).not.toBe(before);
    const writes = mock.writes();
    expect(writes.map((w) => [w.method, w.path])).toEqual([['PATCH', '/repos/octo/demo/pulls/1']]);
    const body = String((writes[0]?.body as { body?: unknown } | undefined)?.body);
    expect(writes[0]?.body).toEqual({ title: SHAPES_TITLE, body });
    expectMeta(body, { file: SHAPES, base, runId: row?.run_id ?? '', patches: SHAPES_PATCHES });
  });

  it('a PR closed without merging for the same patch is left closed: no push, no request but the listing', async () => {
    const first = await openShapesPr();
    const remote = snapshotRemote(rig.repo.origin);

    const mock = rig.newMock();
    mockListPulls(mock, [pullsAfter(first, numberOfHead, () => ({ state: 'closed', merged: false }))]);
    const result = await rig.run(['--only', SHAPES]);
    expect(result.code).toBe(0);
    mock.done();

    expect(rig.lastRun().get(SHAPES)).toMatchObject({
      action: 'skipped_closed_pr',
      pr: { number: 1, url: 'https://github.com/octo/demo/pull/1' },
      reason: 'PR #1 for this review was closed without merging',
    });
    expect(mock.writes()).toEqual([]);
    expect(snapshotRemote(rig.repo.origin)).toBe(remote);
    expect(result.stdout).toMatch(/shapes\.rs\s+skipped: PR was closed/);
  });

  it('a branch a person pushed to is left alone, even for a new patch', async () => {
    const first = await openShapesPr();
    // A maintainer adds a commit of their own to the bot's branch.
    const clone = join(rig.repo.root, 'person');
    git(rig.repo.root, 'clone', '-q', '--branch', branchOf(SHAPES), rig.repo.origin, clone);
    appendFileSync(join(clone, SHAPES), '// tweaked by hand\n');
    git(clone, 'commit', '-q', '-am', 'hand edit');
    git(clone, 'push', '-q', 'origin', branchOf(SHAPES));
    const remote = snapshotRemote(rig.repo.origin);

    // A newer review of the file: its inputs changed, so the model is asked again.
    rig.newerReview(SHAPES);
    rig.answer(SHAPES, ONE_FIX);
    const mock = rig.newMock();
    mockListPulls(mock, [pullsAfter(first, numberOfHead)]);
    const result = await rig.run(['--only', SHAPES]);
    expect(result.code).toBe(0);
    mock.done();

    expect(rig.lastRun().get(SHAPES)).toMatchObject({
      action: 'skipped_human_edited',
      pr: { number: 1 },
      reason: 'the branch has commits by someone else',
    });
    expect(mock.writes()).toEqual([]);
    expect(snapshotRemote(rig.repo.origin)).toBe(remote);
    expect(git(rig.repo.origin, 'log', '-1', '--format=%s', branchOf(SHAPES)).trim()).toBe('hand edit');
  });
});

describe('maxOpenPrs', () => {
  it('stops opening PRs once the open bot PRs (listed and new) reach maxOpenPrs from .github/scrum-apply.yml', async () => {
    rig.repo.write('.github/scrum-apply.yml', 'maxOpenPrs: 2\n');
    rig.repo.commitAll('configure scrum-apply');

    const mock = rig.newMock();
    // One bot PR is already open (another file); a closed one does not count.
    mockListPulls(mock, [
      [
        pullPayload({ number: 7, head: 'scrum-apply/crates/geometry/src/old.rs' }, mock.target),
        pullPayload({ number: 8, head: 'scrum-apply/crates/geometry/src/gone.rs', state: 'closed' }, mock.target),
      ],
    ]);
    mockListLabels(mock, [...new Set([...SHAPES_LABELS, ...FORMAT_LABELS])]);
    // Which green file publishes first depends on which check finishes first; one PR fits.
    mockCreatePullFor(mock, branchOf(SHAPES), 1, { optional: true });
    mockCreatePullFor(mock, branchOf(FORMAT), 2, { optional: true });
    mockAddLabelsOptionally(mock, 1);
    mockAddLabelsOptionally(mock, 2);
    const result = await rig.run();
    expect(result.code).toBe(0);
    mock.done();

    const rows = rig.lastRun();
    const outcomes = [SHAPES, FORMAT].map((file) => rows.get(file)?.action).sort();
    expect(outcomes).toEqual(['pr_opened', 'skipped_open_pr_limit']);
    const opened = [SHAPES, FORMAT].find((file) => rows.get(file)?.action === 'pr_opened') ?? '';
    const limited = [SHAPES, FORMAT].find((file) => rows.get(file)?.action === 'skipped_open_pr_limit') ?? '';
    expect(rows.get(limited)).toMatchObject({ pr: null, reason: '2 scrum-apply PRs are open (maxOpenPrs is 2)' });
    expect(mock.writes().map((w) => `${w.method} ${w.path}`)).toEqual([
      'POST /repos/octo/demo/pulls',
      `POST /repos/octo/demo/issues/${numberOfHead(branchOf(opened))}/labels`,
    ]);
    // Only the opened file's branch was pushed.
    const branches = git(rig.repo.origin, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/scrum-apply/').trim();
    expect(branches).toBe(branchOf(opened));
  });
});
