import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePrMeta } from '../../src/report/pr-meta.js';
import { git, snapshotRemote } from '../helpers/fixture-repo.js';
import { branchOf, createE2eRig, mockCreatePullFor, pullsAfter, record, SHAPES, type E2eRig } from '../helpers/github-e2e.js';
import { openShapesPr, SHAPES_LABELS } from '../helpers/github-e2e-expect.js';
import { mockAddLabels, mockCreateLabel, mockListLabels, mockListPulls, mockSetLabels, mockUpdatePull } from '../helpers/github-mocks.js';

/** Another patch for shapes.rs than any the model gave so far. */
const OTHER_FIX = JSON.stringify({
  patches: [{ old_string: '        3.14159 * self.radius * self.radius', new_string: '        std::f64::consts::PI * self.radius * self.radius', rationale: 'exact constant', confidence: 95 }],
});
/** The PI line of shapes.rs, and the same area written another way by a person. */
const PI_LINE = '        3.14159 * self.radius * self.radius';
const SQUARED = '        3.14159 * self.radius.powi(2)';
const SQUARED_FIX = JSON.stringify({
  patches: [{ old_string: SQUARED, new_string: '        std::f64::consts::PI * self.radius.powi(2)', rationale: 'exact constant', confidence: 95 }],
});
const numberOfHead = (head: string) => (head === branchOf(SHAPES) ? 1 : 2);
/** Every label the varying model's answers for shapes.rs can give (one patch or two). */
const KNOWN_LABELS = [...SHAPES_LABELS, 'patches:1'];

let rig: E2eRig;
beforeEach(async () => {
  // A model that never answers the same twice: other wording every call, another patch set every other call.
  rig = await createE2eRig({ varying: { shuffled: [SHAPES] } });
});
afterEach(async () => {
  await rig.close();
});

/** A run whose only request is the listing of `pulls`; the model is not asked and nothing is pushed. */
async function runUntouched(pulls: Array<Record<string, unknown>>, extra: string[] = []): Promise<void> {
  const asked = rig.llm.requests.length;
  const remote = snapshotRemote(rig.repo.origin);
  const mock = rig.newMock();
  mockListPulls(mock, [pulls]);
  const result = await rig.run(['--only', SHAPES, ...extra]);
  expect(result.code).toBe(0);
  mock.done();
  // The run's own account (its log and audit row) when the model was asked after all.
  expect(rig.llm.requests.length, `${result.stderr}\n${JSON.stringify(rig.lastRun().get(SHAPES))}`).toBe(asked);
  expect(mock.writes()).toEqual([]);
  expect(snapshotRemote(rig.repo.origin)).toBe(remote);
}

describe('stable PRs with a model that never answers the same twice (GitHub)', () => {
  it('a second run on unchanged inputs: pr_unchanged with 0 LLM requests, 0 pushes, 0 API writes', async () => {
    const first = await openShapesPr(rig);
    await runUntouched(pullsAfter(first, numberOfHead));
    expect(rig.lastRun().get(SHAPES)).toMatchObject({ action: 'pr_unchanged', pr: { number: 1 }, reason: 'the open PR was built from these same inputs', check: null });
  });

  it('a base moved by an unrelated commit leaves the PR as it is (rebaseWhen: conflicted): no push, no write, no model call', async () => {
    const first = await openShapesPr(rig);
    rig.repo.write('NOTES.md', 'an unrelated change on main\n');
    rig.repo.commitAll('notes');
    await runUntouched(pullsAfter(first, numberOfHead));
    expect(rig.lastRun().get(SHAPES)).toMatchObject({ action: 'pr_unchanged', reason: 'the base moved but the file did not; the PR is left as it is' });
  });

  it('a commit to the file: the PR is rebuilt from its own patches on the new base, re-checked and pushed once, without asking the model', async () => {
    const first = await openShapesPr(rig);
    const before = git(rig.repo.origin, 'rev-parse', branchOf(SHAPES)).trim();
    const opened = parsePrMeta(String(record(first.requests.find((r) => r.method === 'POST' && r.path.endsWith('/pulls'))?.body).body));
    rig.repo.write(SHAPES, `${git(rig.repo.dir, 'show', `HEAD:${SHAPES}`)}\n// a note added by hand\n`);
    const base = rig.repo.commitAll('a change to shapes.rs');
    const asked = rig.llm.requests.length;

    const mock = rig.newMock();
    const [listed] = pullsAfter(first, numberOfHead);
    if (listed === undefined) throw new Error('the first run opened no PR');
    mockListPulls(mock, [[listed]]);
    mockUpdatePull(mock, { number: 1, head: branchOf(SHAPES), labels: (listed.labels as Array<{ name: string }>).map((l) => l.name) });
    const result = await rig.run(['--only', SHAPES]);
    expect(result.code).toBe(0);
    mock.done();

    const row = rig.lastRun().get(SHAPES);
    expect(row).toMatchObject({ action: 'pr_updated', pr: { number: 1 }, reason: 'rebuilt from its own patches on the new base', check: { green: true } });
    expect(rig.llm.requests.length).toBe(asked);
    const after = git(rig.repo.origin, 'rev-parse', branchOf(SHAPES)).trim();
    expect(after).not.toBe(before);
    expect(git(rig.repo.origin, 'rev-parse', `${branchOf(SHAPES)}^`).trim()).toBe(base);
    expect(git(rig.repo.origin, 'show', `${branchOf(SHAPES)}:${SHAPES}`)).toContain('// a note added by hand');
    // One write: the body records the new base and blob; the patches are the PR's own.
    expect(mock.writes().map((w) => `${w.method} ${w.path}`)).toEqual(['PATCH /repos/octo/demo/pulls/1']);
    const meta = parsePrMeta(String(record(mock.writes()[0]?.body).body));
    expect(meta).toMatchObject({ base, patch: opened?.patch, review: opened?.review });
    expect(meta?.blob).not.toBe(opened?.blob);

    // And the run after that, on the same inputs, is quiet again.
    await runUntouched([{ ...listed, body: String(record(mock.writes()[0]?.body).body) }]);
    expect(rig.lastRun().get(SHAPES)?.action).toBe('pr_unchanged');
  });

  it('a commit to the file that its own patches no longer fit: the model is asked again with the new content, the PR re-checked and pushed once', async () => {
    const first = await openShapesPr(rig);
    const [listed] = pullsAfter(first, numberOfHead);
    if (listed === undefined) throw new Error('the first run opened no PR');
    const before = git(rig.repo.origin, 'rev-parse', branchOf(SHAPES)).trim();
    const source = git(rig.repo.dir, 'show', `HEAD:${SHAPES}`);
    rig.repo.write(SHAPES, source.replace(PI_LINE, SQUARED));
    const base = rig.repo.commitAll('area by powi');
    rig.answer(SHAPES, SQUARED_FIX);
    const asked = rig.llm.requests.length;

    const mock = rig.newMock();
    mockListPulls(mock, [[listed]]);
    const labels = (listed.labels as Array<{ name: string }>).map((l) => l.name);
    mockUpdatePull(mock, { number: 1, head: branchOf(SHAPES), labels });
    mockListLabels(mock, labels);
    mockCreateLabel(mock, { times: labels.includes('patches:1') ? 0 : 1 });
    mockSetLabels(mock, 1);
    const result = await rig.run(['--only', SHAPES]);
    expect(result.code).toBe(0);
    mock.done();

    expect(rig.llm.requests.length).toBe(asked + 1);
    expect(rig.llm.requests.at(-1)?.prompt).toContain(SQUARED);
    expect(rig.lastRun().get(SHAPES)).toMatchObject({ action: 'pr_updated', pr: { number: 1 }, check: { green: true } });
    // Pushed once, on the new base, with the fresh answer.
    expect(git(rig.repo.origin, 'rev-parse', `${branchOf(SHAPES)}^`).trim()).toBe(base);
    expect(git(rig.repo.origin, 'rev-parse', branchOf(SHAPES)).trim()).not.toBe(before);
    expect(git(rig.repo.origin, 'rev-list', '--count', `${base}..${branchOf(SHAPES)}`).trim()).toBe('1');
    expect(git(rig.repo.origin, 'show', `${branchOf(SHAPES)}:${SHAPES}`)).toContain('std::f64::consts::PI * self.radius.powi(2)');
    const patch = mock.writes().find((w) => w.method === 'PATCH');
    expect(parsePrMeta(String(record(patch?.body).body))).toMatchObject({ base });
    expect(mock.writes().map((w) => `${w.method} ${w.path}`).filter((w) => w !== 'POST /repos/octo/demo/labels')).toEqual(['PATCH /repos/octo/demo/pulls/1', 'PUT /repos/octo/demo/issues/1/labels']);
  });

  it('a PR closed without merging blocks its file whatever the model answers, until a newer review of it arrives', async () => {
    const first = await openShapesPr(rig);
    const closed = pullsAfter(first, numberOfHead, () => ({ state: 'closed', merged: false }));
    rig.answer(SHAPES, OTHER_FIX);
    await runUntouched(closed);
    expect(rig.lastRun().get(SHAPES)).toMatchObject({ action: 'skipped_closed_pr', pr: { number: 1 }, reason: 'PR #1 for this review was closed without merging' });

    rig.newerReview(SHAPES);
    const mock = rig.newMock();
    mockListPulls(mock, [closed]);
    mockListLabels(mock, KNOWN_LABELS);
    mockCreatePullFor(mock, branchOf(SHAPES), 2);
    mockAddLabels(mock, 2);
    const result = await rig.run(['--only', SHAPES]);
    expect(result.code).toBe(0);
    mock.done();
    expect(rig.lastRun().get(SHAPES)).toMatchObject({ action: 'pr_opened', pr: { number: 2 } });
  });

  it('a PR with the stop label is never touched, not even for a newer review', async () => {
    const first = await openShapesPr(rig);
    rig.newerReview(SHAPES);
    await runUntouched(pullsAfter(first, numberOfHead, ({ labels }) => ({ labels: [...labels, 'scrum-apply:stop'] })));
    expect(rig.lastRun().get(SHAPES)).toMatchObject({ action: 'skipped_stopped', pr: { number: 1 }, reason: 'PR #1 carries the scrum-apply:stop label' });
  });
  // Obsolete PRs (deleted file, gates, stale patches, a person's branch): obsolete-prs.test.ts.
});
