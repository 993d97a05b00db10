import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git, snapshotRemote } from '../helpers/fixture-repo.js';
import {
  API,
  createGiteaRig,
  idsOf,
  knownLabels,
  ONE_FIX,
  ONE_FIX_LABELS,
  ONE_FIX_PATCHES,
  openShapesPr,
  mockCreateLabels,
  mockEditPull,
  mockListLabels,
  mockListPulls,
  prUrl,
  pullsAfter,
  type GiteaRig,
} from '../helpers/gitea-e2e.js';
import { branchOf, record, SHAPES } from '../helpers/github-e2e.js';
import { parsePrMeta } from '../../src/report/pr-meta.js';
import { expectBodySections, expectMeta, labelCreation, SHAPES_LABELS, SHAPES_PATCHES, SHAPES_TITLE } from '../helpers/github-e2e-expect.js';

const NEEDS_REVIEW = { id: 500, name: 'needs-review' };

let rig: GiteaRig;
beforeEach(async () => {
  rig = await createGiteaRig();
});
afterEach(async () => {
  await rig.close();
});

describe('a file whose Gitea PR already exists', () => {
  it('a new patch force-pushes the branch and PATCHes title, body and the whole label id set, keeping a person-added label', async () => {
    const first = await openShapesPr(rig);
    const base = git(rig.repo.origin, 'rev-parse', 'main').trim();
    const before = git(rig.repo.origin, 'rev-parse', branchOf(SHAPES)).trim();

    // A newer review of the file: its inputs changed, so the model is asked again.
    rig.newerReview(SHAPES);
    rig.answer(SHAPES, ONE_FIX);
    const mock = rig.newMock();
    // A person added `needs-review` to the PR.
    const [listed] = pullsAfter(first, (pull) => ({ labels: [NEEDS_REVIEW, ...(pull.labels ?? [])] }));
    if (listed === undefined) throw new Error('the first run opened no PR');
    mockListPulls(mock, [listed]);
    mockListLabels(mock, [...knownLabels(first), NEEDS_REVIEW]);
    mockCreateLabels(mock, 1, 201);
    mockEditPull(mock, listed);
    const result = await rig.run(['--only', SHAPES]);
    expect(result.code).toBe(0);
    mock.done();
    rig.expectNoToken(result);

    const row = rig.lastRun().get(SHAPES);
    expect(row).toMatchObject({ action: 'pr_updated', pr: { number: 1, url: prUrl(1) }, error: null });

    // The branch was rebuilt from the base (not stacked on the old commit) and force-pushed.
    const after = git(rig.repo.origin, 'rev-parse', branchOf(SHAPES)).trim();
    expect(after).not.toBe(before);
    expect(git(rig.repo.origin, 'rev-parse', `${branchOf(SHAPES)}^`).trim()).toBe(base);
    expect(git(rig.repo.origin, 'rev-list', '--count', `main..${branchOf(SHAPES)}`).trim()).toBe('1');
    expect(git(rig.repo.origin, 'show', `${branchOf(SHAPES)}:${SHAPES}`)).toContain('        std::f64::consts::PI * self.radius * self.radius');

    // Exactly: create the one new label, then one PATCH carrying the complete set of ids
    // (Gitea replaces the set), the person's label first.
    const writes = mock.writes();
    const body = String(record(writes[1]?.body).body);
    expect(writes.map((w) => [w.method, w.path, w.body])).toEqual([
      ['POST', `${API}/labels`, { ...labelCreation('patches:1'), color: `#${labelCreation('patches:1').color}` }],
      ['PATCH', `${API}/pulls/1`, { title: 'scrum-apply: 1 mechanical fix in crates/geometry/src/shapes.rs', body, labels: [500, ...idsOf(mock, ONE_FIX_LABELS)] }],
    ]);
    expect(idsOf(mock, ['patches:1'])).toEqual([201]);
    expect(mock.pulls.get(1)?.labels?.map((l) => l.name)).toEqual([NEEDS_REVIEW.name, ...ONE_FIX_LABELS]);
    expectBodySections(body);
    expect(body).toContain('| 1 | use the exact constant | 95 |');
    expectMeta(body, { file: SHAPES, base, runId: row?.run_id ?? '', patches: ONE_FIX_PATCHES });
  });

  it('rebaseWhen: behind-base — the same patch on a moved base rebuilds the branch from the PR\'s own patches (no model call) and sends one PATCH with the labels unchanged', async () => {
    const first = await openShapesPr(rig);
    const before = git(rig.repo.origin, 'rev-parse', branchOf(SHAPES)).trim();
    rig.repo.write('NOTES.md', 'an unrelated change on main\n');
    rig.repo.write('.github/scrum-apply.yml', 'rebaseWhen: behind-base\n');
    const base = rig.repo.commitAll('notes');
    const asked = rig.llm.requests.length;

    const mock = rig.newMock();
    const [listed] = pullsAfter(first);
    if (listed === undefined) throw new Error('the first run opened no PR');
    mockListPulls(mock, [listed]);
    mockListLabels(mock, knownLabels(first));
    mockEditPull(mock, listed);
    const result = await rig.run(['--only', SHAPES]);
    expect(result.code).toBe(0);
    mock.done();
    expect(rig.llm.requests.length).toBe(asked);

    const row = rig.lastRun().get(SHAPES);
    expect(row).toMatchObject({ action: 'pr_updated', pr: { number: 1 } });
    expect(git(rig.repo.origin, 'rev-parse', `${branchOf(SHAPES)}^`).trim()).toBe(base);
    expect(git(rig.repo.origin, 'rev-parse', branchOf(SHAPES)).trim()).not.toBe(before);
    const writes = mock.writes();
    const body = String(record(writes[0]?.body).body);
    expect(writes.map((w) => [w.method, w.path, w.body])).toEqual([
      ['PATCH', `${API}/pulls/1`, { title: SHAPES_TITLE, body, labels: idsOf(first, SHAPES_LABELS) }],
    ]);
    expectMeta(body, { file: SHAPES, base, runId: row?.run_id ?? '', patches: SHAPES_PATCHES });
  });

  it('the same inputs with bot labels a person removed: pr_unchanged, no model call, no push, no write (a newer review restores them)', async () => {
    const first = await openShapesPr(rig);
    const remote = snapshotRemote(rig.repo.origin);
    const [listed] = pullsAfter(first, (pull) => ({ labels: [NEEDS_REVIEW, ...(pull.labels ?? []).filter((l) => l.name !== 'check:green')] }));
    if (listed === undefined) throw new Error('the first run opened no PR');

    const asked = rig.llm.requests.length;
    const mock = rig.newMock();
    mockListPulls(mock, [listed]);
    const result = await rig.run(['--only', SHAPES]);
    expect(result.code).toBe(0);
    mock.done();
    expect(rig.lastRun().get(SHAPES)).toMatchObject({ action: 'pr_unchanged', pr: { number: 1 }, reason: 'the open PR was built from these same inputs' });
    expect(rig.llm.requests.length).toBe(asked);
    expect(mock.writes()).toEqual([]);
    expect(snapshotRemote(rig.repo.origin)).toBe(remote);

    // A newer review: the model is asked, gives the same patch on the same base; one PATCH
    // records the new inputs in the body and restores the labels, and nothing is pushed.
    rig.newerReview(SHAPES);
    const again = rig.newMock();
    mockListPulls(again, [listed]);
    mockListLabels(again, [...knownLabels(first), NEEDS_REVIEW]);
    mockEditPull(again, listed);
    const second = await rig.run(['--only', SHAPES]);
    expect(second.code).toBe(0);
    again.done();
    expect(rig.lastRun().get(SHAPES)).toMatchObject({ action: 'pr_updated', pr: { number: 1 }, reason: 'the same patch, recorded with its new inputs' });
    expect(snapshotRemote(rig.repo.origin)).toBe(remote);
    const writes = again.writes();
    expect(writes.map((w) => [w.method, w.path, record(w.body).title, record(w.body).labels])).toEqual([
      ['PATCH', `${API}/pulls/1`, listed.title, [NEEDS_REVIEW.id, ...idsOf(first, SHAPES_LABELS)]],
    ]);
    expect(parsePrMeta(String(record(writes[0]?.body).body))?.review).not.toBe(parsePrMeta(listed.body ?? '')?.review);
  });

  it('a PR closed without merging for the same patch is left closed: no push, no request but the listing', async () => {
    const first = await openShapesPr(rig);
    const remote = snapshotRemote(rig.repo.origin);

    const mock = rig.newMock();
    mockListPulls(mock, pullsAfter(first, () => ({ state: 'closed', merged: false })));
    const result = await rig.run(['--only', SHAPES]);
    expect(result.code).toBe(0);
    mock.done();

    expect(rig.lastRun().get(SHAPES)).toMatchObject({
      action: 'skipped_closed_pr',
      pr: { number: 1, url: prUrl(1) },
      reason: 'PR #1 for this review was closed without merging',
    });
    expect(mock.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${API}/pulls?state=all&limit=50&page=1`]);
    expect(snapshotRemote(rig.repo.origin)).toBe(remote);
    expect(result.stdout).toMatch(/shapes\.rs\s+skipped: PR was closed/);
  });

  it('a branch a person pushed to is left alone, even for a new patch: no push, no write', async () => {
    const first = await openShapesPr(rig);
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
    mockListPulls(mock, pullsAfter(first));
    const result = await rig.run(['--only', SHAPES]);
    expect(result.code).toBe(0);
    mock.done();

    expect(rig.lastRun().get(SHAPES)).toMatchObject({
      action: 'skipped_human_edited',
      pr: { number: 1, url: prUrl(1) },
      reason: 'the branch has commits by someone else',
    });
    expect(mock.writes()).toEqual([]);
    expect(snapshotRemote(rig.repo.origin)).toBe(remote);
    expect(git(rig.repo.origin, 'log', '-1', '--format=%s', branchOf(SHAPES)).trim()).toBe('hand edit');
  });
});
