import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git } from '../helpers/fixture-repo.js';
import type { PullFixture } from '../helpers/gitea-mocks.js';
import {
  API,
  createGiteaRig,
  giteaError,
  idsOf,
  knownLabels,
  mockCreateLabels,
  mockCreatePullFor,
  mockEditPull,
  mockListLabels,
  mockListPulls,
  mockPullByBaseHead,
  ONE_FIX,
  ONE_FIX_LABELS,
  openShapesPr,
  prUrl,
  pullsAfter,
  type GiteaMock,
  type GiteaRig,
} from '../helpers/gitea-e2e.js';
import { branchOf, record, SHAPES } from '../helpers/github-e2e.js';

const HEAD = branchOf(SHAPES);
const NEEDS_REVIEW = { id: 500, name: 'needs-review' };
/** Gitea's answer to a second PR for the same head and base (models.ErrPullRequestAlreadyExists). */
const ALREADY_EXISTS = giteaError(
  409,
  `pull request already exists for these targets [id: 1001, issue_id: 1, head_repo_id: 7, base_repo_id: 7, head_branch: ${HEAD}, base_branch: main]`,
);

let rig: GiteaRig;
beforeEach(async () => {
  rig = await createGiteaRig();
});
afterEach(async () => {
  await rig.close();
});

/**
 * PR #1 is open (with a label a person added) but the run's listing does not show it (another
 * run opened it meanwhile); a new patch makes the run push and try to create it: 409.
 */
async function conflictRun(find: (mock: GiteaMock, existing: PullFixture) => void): Promise<GiteaMock> {
  const first = await openShapesPr(rig);
  const [opened] = pullsAfter(first, (pull) => ({ labels: [NEEDS_REVIEW, ...(pull.labels ?? [])] }));
  if (opened === undefined) throw new Error('the first run opened no PR');
  const before = git(rig.repo.origin, 'rev-parse', HEAD).trim();

  rig.answer(SHAPES, ONE_FIX);
  const mock = rig.newMock();
  mockListPulls(mock, []);
  mockListLabels(mock, [...knownLabels(first), NEEDS_REVIEW]);
  mockCreateLabels(mock, 1, 201);
  mockCreatePullFor(mock, HEAD, 99, () => ALREADY_EXISTS);
  find(mock, opened);
  mockEditPull(mock, opened);
  const result = await rig.run(['--only', SHAPES]);
  expect(result.stderr).not.toMatch(/run failed/);
  expect(result.code).toBe(0);
  mock.done();
  rig.expectNoToken(result);

  // The existing PR was brought up to date: pr_updated, its number and URL on record.
  expect(rig.lastRun().get(SHAPES)).toMatchObject({
    action: 'pr_updated',
    pr: { number: 1, url: prUrl(1) },
    reason: 'an open PR for this branch already existed; it was updated',
    error: null,
  });
  // The new patch was force-pushed onto the branch before the create was tried.
  expect(git(rig.repo.origin, 'rev-parse', HEAD).trim()).not.toBe(before);
  expect(git(rig.repo.origin, 'show', `${HEAD}:${SHAPES}`)).toContain('std::f64::consts::PI * self.radius');
  // One PATCH with the complete id set: the person's label kept, the bot's labels replaced.
  const patch = mock.writes().find((w) => w.method === 'PATCH');
  expect(patch?.path).toBe(`${API}/pulls/1`);
  expect(record(patch?.body).labels).toEqual([NEEDS_REVIEW.id, ...idsOf(mock, ONE_FIX_LABELS)]);
  expect(record(patch?.body).title).toBe('scrum-apply: 1 mechanical fix in crates/geometry/src/shapes.rs');
  return mock;
}

describe('a 409 on creating a Gitea PR (one already exists for this head and base)', () => {
  it('finds it with GET /pulls/{base}/{head} (Gitea 1.22+) and updates it', async () => {
    const mock = await conflictRun((m, existing) => mockPullByBaseHead(m, 'main', HEAD, existing));
    expect(mock.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET ${API}/pulls?state=all&limit=50&page=1`,
      `GET ${API}/labels?limit=50&page=1`,
      `POST ${API}/labels`,
      `POST ${API}/pulls`,
      `GET ${API}/pulls/main/${HEAD}`,
      `PATCH ${API}/pulls/1`,
    ]);
  });

  it('on a Gitea before 1.22 (404 from that route) finds it in the open PR listing and updates it', async () => {
    const mock = await conflictRun((m, existing) => {
      mockPullByBaseHead(m, 'main', HEAD, null);
      // Beside ours: a fork's PR using the same branch name, and ours against another base.
      mockListPulls(m, [{ number: 4, head: HEAD, headRepoId: 99 }, { number: 3, head: HEAD, base: 'develop' }, existing], 'open');
    });
    expect(mock.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET ${API}/pulls?state=all&limit=50&page=1`,
      `GET ${API}/labels?limit=50&page=1`,
      `POST ${API}/labels`,
      `POST ${API}/pulls`,
      `GET ${API}/pulls/main/${HEAD}`,
      `GET ${API}/pulls?state=open&limit=50&page=1`,
      `PATCH ${API}/pulls/1`,
    ]);
  });
});
