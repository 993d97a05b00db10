import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git, snapshotRemote } from '../helpers/fixture-repo.js';
import { parsePrMeta } from '../../src/report/pr-meta.js';
import {
  API,
  createGiteaRig,
  knownLabels,
  mockCreateLabels,
  mockEditPull,
  mockListLabels,
  mockListPulls,
  openShapesPr,
  pullsAfter,
  type GiteaMock,
  type GiteaRig,
} from '../helpers/gitea-e2e.js';
import type { PullFixture } from '../helpers/gitea-mocks.js';
import { branchOf, record, SHAPES } from '../helpers/github-e2e.js';

/** The PI line of shapes.rs, and the same area written another way by a person. */
const PI_LINE = '        3.14159 * self.radius * self.radius';
const SQUARED = '        3.14159 * self.radius.powi(2)';
const SQUARED_FIX = JSON.stringify({
  patches: [{ old_string: SQUARED, new_string: '        std::f64::consts::PI * self.radius.powi(2)', rationale: 'exact constant', confidence: 95 }],
});

let rig: GiteaRig;
beforeEach(async () => {
  // A model that never answers the same twice: other wording every call, another patch set every other call.
  rig = await createGiteaRig({ varying: { shuffled: [SHAPES] } });
});
afterEach(async () => {
  await rig.close();
});

/** A run whose only request is the listing of `pulls`; the model is not asked and nothing is pushed. */
async function runUntouched(pulls: PullFixture[]): Promise<void> {
  const asked = rig.llm.requests.length;
  const remote = snapshotRemote(rig.repo.origin);
  const mock = rig.newMock();
  mockListPulls(mock, pulls);
  const result = await rig.run(['--only', SHAPES]);
  expect(result.code).toBe(0);
  mock.done();
  rig.expectNoToken(result);
  expect(rig.llm.requests.length).toBe(asked);
  expect(mock.writes()).toEqual([]);
  expect(snapshotRemote(rig.repo.origin)).toBe(remote);
}

describe('stable PRs with a model that never answers the same twice (Gitea)', () => {
  it('a second run on unchanged inputs: pr_unchanged with 0 LLM requests, 0 pushes, 0 API writes', async () => {
    const first = await openShapesPr(rig);
    await runUntouched(pullsAfter(first));
    expect(rig.lastRun().get(SHAPES)).toMatchObject({ action: 'pr_unchanged', pr: { number: 1 }, reason: 'the open PR was built from these same inputs' });
  });

  it('a base moved by an unrelated commit leaves the PR as it is: no push, no write, no model call', async () => {
    const first = await openShapesPr(rig);
    rig.repo.write('NOTES.md', 'an unrelated change on main\n');
    rig.repo.commitAll('notes');
    await runUntouched(pullsAfter(first));
    expect(rig.lastRun().get(SHAPES)).toMatchObject({ action: 'pr_unchanged', reason: 'the base moved but the file did not; the PR is left as it is' });
  });

  it('a PR with the stop label is never touched, not even for a newer review', async () => {
    const first = await openShapesPr(rig);
    rig.newerReview(SHAPES);
    await runUntouched(pullsAfter(first, (pull) => ({ labels: [...(pull.labels ?? []), { id: 900, name: 'scrum-apply:stop' }] })));
    expect(rig.lastRun().get(SHAPES)).toMatchObject({ action: 'skipped_stopped', pr: { number: 1 } });
  });

  it('a commit to the file: the PR is rebuilt from its own patches on the new base, re-checked and pushed once, without asking the model', async () => {
    const first = await openShapesPr(rig);
    const [listed] = pullsAfter(first);
    if (listed === undefined) throw new Error('the first run opened no PR');
    const before = git(rig.repo.origin, 'rev-parse', branchOf(SHAPES)).trim();
    rig.repo.write(SHAPES, `${git(rig.repo.dir, 'show', `HEAD:${SHAPES}`)}\n// a note added by hand\n`);
    const base = rig.repo.commitAll('a change to shapes.rs');
    const asked = rig.llm.requests.length;

    const mock = await runUpdating(listed, knownLabels(first));
    expect(rig.lastRun().get(SHAPES)).toMatchObject({ action: 'pr_updated', pr: { number: 1 }, reason: 'rebuilt from its own patches on the new base', check: { green: true } });
    expect(rig.llm.requests.length).toBe(asked);
    expectPushedOnceOn(base, before);
    expect(git(rig.repo.origin, 'show', `${branchOf(SHAPES)}:${SHAPES}`)).toContain('// a note added by hand');
    const opened = parsePrMeta(listed.body ?? '');
    const meta = parsePrMeta(String(record(mock.writes()[0]?.body).body));
    expect(meta).toMatchObject({ base, patch: opened?.patch, review: opened?.review });
    expect(meta?.blob).not.toBe(opened?.blob);
    expect(mock.writes().map((w) => `${w.method} ${w.path}`)).toEqual([`PATCH ${API}/pulls/1`]);
  });

  it('a commit to the file that its own patches no longer fit: the model is asked again with the new content, the PR re-checked and pushed once', async () => {
    const first = await openShapesPr(rig);
    const [listed] = pullsAfter(first);
    if (listed === undefined) throw new Error('the first run opened no PR');
    const before = git(rig.repo.origin, 'rev-parse', branchOf(SHAPES)).trim();
    rig.repo.write(SHAPES, git(rig.repo.dir, 'show', `HEAD:${SHAPES}`).replace(PI_LINE, SQUARED));
    const base = rig.repo.commitAll('area by powi');
    rig.answer(SHAPES, SQUARED_FIX);
    const asked = rig.llm.requests.length;

    const mock = await runUpdating(listed, knownLabels(first), 1);
    expect(rig.llm.requests.length).toBe(asked + 1);
    expect(rig.llm.requests.at(-1)?.prompt).toContain(SQUARED);
    expect(rig.lastRun().get(SHAPES)).toMatchObject({ action: 'pr_updated', pr: { number: 1 }, check: { green: true } });
    expectPushedOnceOn(base, before);
    expect(git(rig.repo.origin, 'show', `${branchOf(SHAPES)}:${SHAPES}`)).toContain('std::f64::consts::PI * self.radius.powi(2)');
    const edit = mock.writes().find((w) => w.method === 'PATCH');
    expect(parsePrMeta(String(record(edit?.body).body))).toMatchObject({ base });
    expect(mock.writes().map((w) => `${w.method} ${w.path}`).filter((w) => w !== `POST ${API}/labels`)).toEqual([`PATCH ${API}/pulls/1`]);
  });

  // Obsolete PRs (deleted file, gates, stale patches): obsolete-prs.test.ts.
});

/** A run whose requests are the listing, the labels (`newLabels` of them created) and one edit of PR #1. */
async function runUpdating(listed: PullFixture, labels: Array<{ id: number; name: string }>, newLabels = 0): Promise<GiteaMock> {
  const mock = rig.newMock();
  mockListPulls(mock, [listed]);
  mockListLabels(mock, labels);
  if (newLabels > 0) mockCreateLabels(mock, newLabels, 301);
  mockEditPull(mock, listed);
  const result = await rig.run(['--only', SHAPES]);
  expect(result.code).toBe(0);
  mock.done();
  rig.expectNoToken(result);
  return mock;
}

/** The bot branch moved from `before` to one commit on top of `base`. */
function expectPushedOnceOn(base: string, before: string): void {
  expect(git(rig.repo.origin, 'rev-parse', branchOf(SHAPES)).trim()).not.toBe(before);
  expect(git(rig.repo.origin, 'rev-parse', `${branchOf(SHAPES)}^`).trim()).toBe(base);
  expect(git(rig.repo.origin, 'rev-list', '--count', `${base}..${branchOf(SHAPES)}`).trim()).toBe('1');
}
