import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git, snapshotRemote } from '../helpers/fixture-repo.js';
import { API, createGiteaRig, mockCreateComment, mockEditPull, mockListPulls, openShapesPr, pullsAfter, type GiteaRig } from '../helpers/gitea-e2e.js';
import type { PullFixture } from '../helpers/gitea-mocks.js';
import { SHAPES } from '../helpers/github-e2e.js';

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

  it('a PR whose file was deleted at the base is closed with one comment and its bot-only branch deleted', async () => {
    const first = await openShapesPr(rig);
    git(rig.repo.dir, 'rm', '-q', SHAPES);
    rig.repo.commitAll('remove shapes.rs');
    const [listed] = pullsAfter(first);
    if (listed === undefined) throw new Error('the first run opened no PR');

    const mock = rig.newMock();
    mockListPulls(mock, [listed]);
    mockCreateComment(mock, 1, 601);
    mockEditPull(mock, listed);
    const result = await rig.run(['--only', SHAPES]);
    expect(result.code).toBe(0);
    mock.done();
    rig.expectNoToken(result);

    expect(rig.lastRun().get(SHAPES)).toMatchObject({ action: 'pr_closed_obsolete', pr: { number: 1 }, reason: 'the file no longer exists at the base' });
    expect(mock.writes().map((w) => [w.method, w.path, w.body])).toEqual([
      ['POST', `${API}/issues/1/comments`, { body: 'scrum-apply closed this PR: the file no longer exists at the base.' }],
      ['PATCH', `${API}/pulls/1`, { state: 'closed' }],
    ]);
    expect(git(rig.repo.origin, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/scrum-apply/').trim()).toBe('');
  });
});
