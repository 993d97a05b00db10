import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git } from '../helpers/fixture-repo.js';
import { branchOf, createE2eRig, pullsAfter, record, SHAPES, type E2eRig } from '../helpers/github-e2e.js';
import { openShapesPr } from '../helpers/github-e2e-expect.js';
import {
  mockCreateComment,
  mockCreateLabel,
  mockListLabels,
  mockListPulls,
  mockSetLabels,
  mockUpdatePull,
  type GitHubMock,
} from '../helpers/github-mocks.js';
import { mockListIssues } from '../helpers/dashboard-mocks.js';

/**
 * Obsolete PRs on GitHub (issue 16): the file deleted at the base, the latest review failing
 * the gates, the PR's own patches no longer applying with a fresh answer that gives nothing.
 * Each is labelled first (so the closed PR records why), then commented on, then closed, then
 * its bot-only branch deleted.
 */

const numberOfHead = (head: string) => (head === branchOf(SHAPES) ? 1 : 2);
/** The PI line of shapes.rs, as the base has it and as a person fixes it by hand. */
const PI_LINE = '        3.14159 * self.radius * self.radius';
const FIXED_BY_HAND = '        std::f64::consts::PI * self.radius * self.radius';

let rig: E2eRig;
beforeEach(async () => {
  rig = await createE2eRig({ varying: { shuffled: [SHAPES] } });
});
afterEach(async () => {
  await rig.close();
});

/** The PRs listed after the first run opened shapes.rs's PR (#1). */
const openShapesPrs = async (): Promise<Array<Record<string, unknown>>> => pullsAfter(await openShapesPr(rig), numberOfHead);

/** The requests closing PR #1 makes after the listing: its labels (two new ones created), a comment, the close. */
function mockClose(mock: GitHubMock, listed: Record<string, unknown>, labelsBefore: string[]): void {
  mockListLabels(mock, labelsBefore);
  mockCreateLabel(mock, { times: 2 });
  mockSetLabels(mock, 1);
  mockCreateComment(mock, 1, 501);
  mockUpdatePull(mock, { number: 1, head: String(record(listed.head).ref), state: 'closed' });
}

/** The labels PR #1 carries after closing: the action label replaced, the cause added, the rest kept. */
function closedLabels(labels: string[], cause: string): string[] {
  return [...labels.filter((l) => l !== 'scrum-apply:committed'), 'scrum-apply:pr_closed_obsolete', `obsolete:${cause}`];
}

function expectClosedInOrder(mock: GitHubMock, labels: string[], cause: string, reason: string): void {
  const repo = mock.repoPath;
  expect(mock.writes().map((w) => [w.method, w.path, w.method === 'POST' && w.path === `${repo}/labels` ? record(w.body).name : w.body])).toEqual([
    ['POST', `${repo}/labels`, 'scrum-apply:pr_closed_obsolete'],
    ['POST', `${repo}/labels`, `obsolete:${cause}`],
    ['PUT', `${repo}/issues/1/labels`, { labels: closedLabels(labels, cause) }],
    ['POST', `${repo}/issues/1/comments`, { body: `scrum-apply closed this PR: ${reason}.` }],
    ['PATCH', `${repo}/pulls/1`, { state: 'closed' }],
  ]);
  expect(git(rig.repo.origin, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/scrum-apply/').trim()).toBe('');
}

const labelsOf = (pull: Record<string, unknown>) => (pull.labels as Array<{ name: string }>).map((l) => l.name);

describe('obsolete PRs are labelled, commented on, closed and their bot-only branch deleted (GitHub)', () => {
  it('the file no longer exists at the base', async () => {
    const [listed] = await openShapesPrs();
    if (listed === undefined) throw new Error('no PR');
    git(rig.repo.dir, 'rm', '-q', SHAPES);
    rig.repo.commitAll('remove shapes.rs');
    const asked = rig.llm.requests.length;

    const mock = rig.newMock();
    mockListPulls(mock, [[listed]]);
    mockClose(mock, listed, labelsOf(listed));
    const result = await rig.run(['--only', SHAPES]);
    expect(result.code).toBe(0);
    mock.done();

    const reason = 'the file no longer exists at the base';
    expect(rig.lastRun().get(SHAPES)).toMatchObject({ action: 'pr_closed_obsolete', pr: { number: 1 }, reason });
    expect(rig.llm.requests.length).toBe(asked);
    expectClosedInOrder(mock, labelsOf(listed), 'file-deleted', reason);
    expect(result.stdout).toMatch(/shapes\.rs\s+PR closed \(obsolete\)/);
  });

  it('the latest review no longer passes the gates, although no file at all is eligible in this run', async () => {
    const [listed] = await openShapesPrs();
    if (listed === undefined) throw new Error('no PR');
    rig.newerReview(SHAPES, { confidence_avg: 40 });
    const asked = rig.llm.requests.length;

    const mock = rig.newMock();
    mockListPulls(mock, [[listed]]);
    mockClose(mock, listed, labelsOf(listed));
    // --only keeps the other files out: nothing at all is eligible, yet the PRs are listed.
    const result = await rig.run(['--only', SHAPES]);
    expect(result.code).toBe(0);
    mock.done();

    const reason = 'the latest review no longer passes the gates (confidence_avg 40 < 90)';
    expect(rig.lastRun().get(SHAPES)).toMatchObject({ action: 'pr_closed_obsolete', pr: { number: 1 }, reason });
    expect(rig.llm.requests.length).toBe(asked);
    expectClosedInOrder(mock, labelsOf(listed), 'gates', reason);
  });

  it('a run where no file is eligible and none fails the gates asks GitHub only where its dashboard is: no PR listing, no model', async () => {
    rig.repo.write('.github/scrum-apply.yml', 'dashboard: false\n');
    rig.repo.commitAll('no dashboard');
    const mock = rig.newMock();
    mockListIssues(mock, 'scrum-apply', [[]]);
    const result = await rig.run(['--only', 'Cargo.toml']);
    expect(result.code).toBe(0);
    mock.done();
    expect(mock.requests.map((r) => `${r.method} ${r.path.replace(/\?.*$/, '')}`)).toEqual([`GET /repos/${rig.target.owner}/${rig.target.repo}/issues`]);
    expect(rig.llm.requests).toEqual([]);
  });

  it('its patches no longer apply (the line was fixed by hand) and the model, asked again, has no patches', async () => {
    const [listed] = await openShapesPrs();
    if (listed === undefined) throw new Error('no PR');
    const source = git(rig.repo.dir, 'show', `HEAD:${SHAPES}`);
    rig.repo.write(SHAPES, source.replace(PI_LINE, FIXED_BY_HAND));
    rig.repo.commitAll('fix the PI line by hand');
    rig.answer(SHAPES, '{"patches": []}');
    const asked = rig.llm.requests.length;

    const mock = rig.newMock();
    mockListPulls(mock, [[listed]]);
    mockClose(mock, listed, labelsOf(listed));
    const result = await rig.run(['--only', SHAPES]);
    expect(result.code).toBe(0);
    mock.done();

    const reason = 'its patches no longer apply to the file at the base and a fresh answer has no patches';
    expect(rig.lastRun().get(SHAPES)).toMatchObject({ action: 'pr_closed_obsolete', pr: { number: 1 }, reason });
    expect(rig.llm.requests.length).toBe(asked + 1);
    expect(rig.llm.requests.at(-1)?.prompt).toContain(FIXED_BY_HAND);
    expectClosedInOrder(mock, labelsOf(listed), 'no-fresh-fix', reason);
  });

  it('its patches no longer apply and the fresh answer fails the check', async () => {
    const [listed] = await openShapesPrs();
    if (listed === undefined) throw new Error('no PR');
    const source = git(rig.repo.dir, 'show', `HEAD:${SHAPES}`);
    rig.repo.write(SHAPES, source.replace(PI_LINE, FIXED_BY_HAND));
    rig.repo.commitAll('fix the PI line by hand');
    const red = { old_string: FIXED_BY_HAND, new_string: '        PI_NOT_IMPORTED * self.radius * self.radius', rationale: 'shorter', confidence: 95 };
    rig.answer(SHAPES, JSON.stringify({ patches: [red] }));

    const mock = rig.newMock();
    mockListPulls(mock, [[listed]]);
    mockClose(mock, listed, labelsOf(listed));
    const result = await rig.run(['--only', SHAPES]);
    expect(result.code).toBe(0);
    mock.done();

    const reason = 'its patches no longer apply to the file at the base and a fresh answer fails the check';
    expect(rig.lastRun().get(SHAPES)).toMatchObject({ action: 'pr_closed_obsolete', pr: { number: 1 }, reason, check: { green: false } });
    expectClosedInOrder(mock, labelsOf(listed), 'no-fresh-fix', reason);
  });

  it('an obsolete PR a person pushed to is never closed, labelled or commented on', async () => {
    const [listed] = await openShapesPrs();
    if (listed === undefined) throw new Error('no PR');
    const clone = join(rig.repo.root, 'person');
    git(rig.repo.root, 'clone', '-q', '--branch', branchOf(SHAPES), rig.repo.origin, clone);
    appendFileSync(join(clone, SHAPES), '// tweaked by hand\n');
    git(clone, 'commit', '-q', '-am', 'hand edit');
    git(clone, 'push', '-q', 'origin', branchOf(SHAPES));
    rig.newerReview(SHAPES, { gradient_tier: 'simulation' });

    const mock = rig.newMock();
    mockListPulls(mock, [[listed]]);
    const result = await rig.run(['--only', SHAPES]);
    expect(result.code).toBe(0);
    mock.done();
    expect(mock.writes()).toEqual([]);
    expect(rig.lastRun().get(SHAPES)).toMatchObject({ action: 'skipped_human_edited', pr: { number: 1 } });
  });
});
