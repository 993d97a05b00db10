import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git } from '../helpers/fixture-repo.js';
import {
  API,
  createGiteaRig,
  knownLabels,
  mockCreateComment,
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
import { record, SHAPES } from '../helpers/github-e2e.js';

/**
 * Obsolete PRs on Gitea (issue 16): the file deleted at the base, the latest review failing
 * the gates, the PR's own patches no longer applying with a fresh answer that gives nothing.
 * Each is labelled first (so the closed PR records why), then commented on, then closed, then
 * its bot-only branch deleted.
 */

const PI_LINE = '        3.14159 * self.radius * self.radius';
const FIXED_BY_HAND = '        std::f64::consts::PI * self.radius * self.radius';

let rig: GiteaRig;
beforeEach(async () => {
  rig = await createGiteaRig({ varying: { shuffled: [SHAPES] } });
});
afterEach(async () => {
  await rig.close();
});

/** PR #1 for shapes.rs, as Gitea lists it, and the labels Gitea has. */
async function openPr(): Promise<{ listed: PullFixture; labels: Array<{ id: number; name: string }> }> {
  const first = await openShapesPr(rig);
  const [listed] = pullsAfter(first);
  if (listed === undefined) throw new Error('the first run opened no PR');
  return { listed, labels: knownLabels(first) };
}

/** A run after the listing of `listed` that closes it: two labels created, the PR's labels set, a comment, the close. */
async function runClosing(listed: PullFixture, labels: Array<{ id: number; name: string }>): Promise<GiteaMock> {
  const mock = rig.newMock();
  mockListPulls(mock, [listed]);
  mockListLabels(mock, labels);
  mockCreateLabels(mock, 2, 201);
  mockEditPull(mock, listed);
  mockCreateComment(mock, 1, 601);
  mockEditPull(mock, listed);
  const result = await rig.run(['--only', SHAPES]);
  expect(result.code).toBe(0);
  mock.done();
  rig.expectNoToken(result);
  return mock;
}

function expectClosedInOrder(mock: GiteaMock, listed: PullFixture, cause: string, reason: string): void {
  const kept = (listed.labels ?? []).filter((l) => l.name !== 'scrum-apply:committed').map((l) => l.id);
  expect(mock.writes().map((w) => [w.method, w.path, w.path === `${API}/labels` ? record(w.body).name : w.body])).toEqual([
    ['POST', `${API}/labels`, 'scrum-apply:pr_closed_obsolete'],
    ['POST', `${API}/labels`, `obsolete:${cause}`],
    ['PATCH', `${API}/pulls/1`, { title: listed.title, body: listed.body, labels: [...kept, 201, 202] }],
    ['POST', `${API}/issues/1/comments`, { body: `scrum-apply closed this PR: ${reason}.` }],
    ['PATCH', `${API}/pulls/1`, { state: 'closed' }],
  ]);
  expect(git(rig.repo.origin, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/scrum-apply/').trim()).toBe('');
}

describe('obsolete PRs are labelled, commented on, closed and their bot-only branch deleted (Gitea)', () => {
  it('the file no longer exists at the base', async () => {
    const { listed, labels } = await openPr();
    git(rig.repo.dir, 'rm', '-q', SHAPES);
    rig.repo.commitAll('remove shapes.rs');
    const asked = rig.llm.requests.length;
    const mock = await runClosing(listed, labels);
    const reason = 'the file no longer exists at the base';
    expect(rig.lastRun().get(SHAPES)).toMatchObject({ action: 'pr_closed_obsolete', pr: { number: 1 }, reason });
    expect(rig.llm.requests.length).toBe(asked);
    expectClosedInOrder(mock, listed, 'file-deleted', reason);
  });

  it('the latest review no longer passes the gates (an excluded tier), although no file at all is eligible in this run', async () => {
    const { listed, labels } = await openPr();
    rig.newerReview(SHAPES, { gradient_tier: 'block' });
    const asked = rig.llm.requests.length;
    const mock = await runClosing(listed, labels);
    const reason = 'the latest review no longer passes the gates (tier block is excluded)';
    expect(rig.lastRun().get(SHAPES)).toMatchObject({ action: 'pr_closed_obsolete', pr: { number: 1 }, reason });
    expect(rig.llm.requests.length).toBe(asked);
    expectClosedInOrder(mock, listed, 'gates', reason);
  });

  it('its patches no longer apply (the line was fixed by hand) and the model, asked again, has no patches', async () => {
    const { listed, labels } = await openPr();
    rig.repo.write(SHAPES, git(rig.repo.dir, 'show', `HEAD:${SHAPES}`).replace(PI_LINE, FIXED_BY_HAND));
    rig.repo.commitAll('fix the PI line by hand');
    rig.answer(SHAPES, '{"patches": []}');
    const asked = rig.llm.requests.length;
    const mock = await runClosing(listed, labels);
    const reason = 'its patches no longer apply to the file at the base and a fresh answer has no patches';
    expect(rig.lastRun().get(SHAPES)).toMatchObject({ action: 'pr_closed_obsolete', pr: { number: 1 }, reason });
    expect(rig.llm.requests.length).toBe(asked + 1);
    expect(rig.llm.requests.at(-1)?.prompt).toContain(FIXED_BY_HAND);
    expectClosedInOrder(mock, listed, 'no-fresh-fix', reason);
  });

  it('its patches no longer apply and every patch of the fresh answer is rejected', async () => {
    const { listed, labels } = await openPr();
    rig.repo.write(SHAPES, git(rig.repo.dir, 'show', `HEAD:${SHAPES}`).replace(PI_LINE, FIXED_BY_HAND));
    rig.repo.commitAll('fix the PI line by hand');
    // The model still answers for the old line, which is no longer in the file.
    rig.answer(SHAPES, JSON.stringify({ patches: [{ old_string: PI_LINE, new_string: FIXED_BY_HAND, rationale: 'exact constant', confidence: 95 }] }));
    const mock = await runClosing(listed, labels);
    const reason = 'its patches no longer apply to the file at the base and a fresh answer has every patch rejected';
    expect(rig.lastRun().get(SHAPES)).toMatchObject({ action: 'pr_closed_obsolete', pr: { number: 1 }, reason });
    expectClosedInOrder(mock, listed, 'no-fresh-fix', reason);
  });
});
