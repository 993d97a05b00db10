import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git, snapshotRemote } from '../helpers/fixture-repo.js';
import {
  API,
  createGiteaRig,
  idsOf,
  mockCreateLabels,
  mockCreatePullFor,
  mockListLabels,
  mockListPulls,
  prUrl,
  pullsAfter,
  type GiteaMock,
  type GiteaRig,
} from '../helpers/gitea-e2e.js';
import { branchOf, FORMAT, NO_PATCHES, record, RED, REJECTED, SHAPES } from '../helpers/github-e2e.js';
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

/** Two of the bot's labels exist already (from another PR), beside a person's label. */
const EXISTING = [
  { id: 7, name: 'bug' },
  { id: 8, name: 'scrum-apply' },
  { id: 9, name: 'tier:auto' },
];
const DISTINCT = [...new Set([...SHAPES_LABELS, ...FORMAT_LABELS])];
const MISSING = DISTINCT.filter((name) => !EXISTING.some((label) => label.name === name));

let rig: GiteaRig;
beforeEach(async () => {
  rig = await createGiteaRig();
});
afterEach(async () => {
  await rig.close();
});

/** The first run on a repository without bot PRs: two PRs; the missing labels created first. */
function mockFirstRun(): GiteaMock {
  const mock = rig.newMock();
  mockListPulls(mock, []);
  mockListLabels(mock, EXISTING);
  mockCreateLabels(mock, MISSING.length);
  mockCreatePullFor(mock, branchOf(SHAPES), 1);
  mockCreatePullFor(mock, branchOf(FORMAT), 2);
  return mock;
}

describe('scrum-apply run --apply --forge gitea, first run', () => {
  it('opens one PR per green file with label ids, creating missing labels first; none for red, rejected or patchless files', async () => {
    const base = git(rig.repo.origin, 'rev-parse', 'main').trim();
    const mock = mockFirstRun();
    const result = await rig.run();
    expect(result.stderr).not.toMatch(/run failed/);
    expect(result.code).toBe(0);
    mock.done();
    rig.expectNoToken(result);

    const rows = rig.lastRun();
    expect(Object.fromEntries([...rows].map(([file, row]) => [file, row.action]))).toEqual({
      [SHAPES]: 'pr_opened',
      [FORMAT]: 'pr_opened',
      [RED]: 'build_red_reverted',
      [REJECTED]: 'all_rejected',
      [NO_PATCHES]: 'no_patches',
    });
    expect(rows.get(SHAPES)?.pr).toEqual({ number: 1, url: prUrl(1) });
    expect(rows.get(FORMAT)?.pr).toEqual({ number: 2, url: prUrl(2) });
    for (const file of [RED, REJECTED, NO_PATCHES]) expect(rows.get(file)?.pr).toBeNull();
    const runId = rows.get(SHAPES)?.run_id ?? '';

    // Reads: the PR listing and the label listing, once each.
    expect(mock.requests.filter((r) => r.method === 'GET').map((r) => r.path)).toEqual([
      `${API}/pulls?state=all&limit=50&page=1`,
      `${API}/labels?limit=50&page=1`,
    ]);

    // Each missing label created once with its family's '#rrggbb' colour; the existing ones reused by id.
    const creations = mock.writes().filter((w) => w.path === `${API}/labels`);
    expect(creations.map((w) => w.body)).toEqual(expect.arrayContaining(MISSING.map((name) => ({ ...labelCreation(name), color: `#${labelCreation(name).color}` }))));
    expect(creations).toHaveLength(MISSING.length);
    expect(idsOf(mock, ['scrum-apply', 'tier:auto'])).toEqual([8, 9]);

    // Per PR a single write (of the ≤ 3 allowed): POST /pulls with head, base, title, body and every label id;
    // beside them only the label creations, shared by both PRs.
    const posts = mock.writes().filter((w) => w.path === `${API}/pulls`);
    expect(posts.map((w) => record(w.body).head).sort()).toEqual([branchOf(SHAPES), branchOf(FORMAT)].sort());
    expect(mock.writes()).toHaveLength(MISSING.length + 2);
    const postFor = (file: string) => record(posts.find((w) => record(w.body).head === branchOf(file))?.body);
    const shapes = postFor(SHAPES);
    const format = postFor(FORMAT);
    expect(shapes).toEqual({ head: branchOf(SHAPES), base: 'main', title: SHAPES_TITLE, body: shapes.body, labels: idsOf(mock, SHAPES_LABELS) });
    expect(format).toEqual({ head: branchOf(FORMAT), base: 'main', title: FORMAT_TITLE, body: format.body, labels: idsOf(mock, FORMAT_LABELS) });
    // Every missing label is created before the PR that uses it.
    const writes = mock.writes();
    for (const [file, names] of [[SHAPES, SHAPES_LABELS], [FORMAT, FORMAT_LABELS]] as const) {
      const post = writes.findIndex((w) => w.path === `${API}/pulls` && record(w.body).head === branchOf(file));
      for (const name of names.filter((n) => MISSING.includes(n))) {
        expect(writes.findIndex((w) => w.path === `${API}/labels` && record(w.body).name === name), name).toBeLessThan(post);
      }
    }

    // The bodies: the whole template, within the budget, with the metadata for idempotency.
    for (const body of [String(shapes.body), String(format.body)]) {
      expectBodySections(body);
      expect(body.length).toBeLessThanOrEqual(60_000);
    }
    expect(String(shapes.body)).toContain('| 1 | import PI for Circle::area | 95 |');
    expectMeta(String(shapes.body), { file: SHAPES, base, runId, patches: SHAPES_PATCHES });
    expectMeta(String(format.body), { file: FORMAT, base, runId, patches: FORMAT_PATCHES });

    // The branches went to origin: one bot commit on the base each; nothing for the others.
    const branches = git(rig.repo.origin, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/scrum-apply/').trim().split('\n');
    expect(branches.sort()).toEqual([branchOf(SHAPES), branchOf(FORMAT)].sort());
    for (const file of [SHAPES, FORMAT]) {
      expect(git(rig.repo.origin, 'rev-parse', `${branchOf(file)}^`).trim()).toBe(base);
      expect(git(rig.repo.origin, 'diff', '--name-only', base, branchOf(file)).trim()).toBe(file);
    }
    expect(result.stdout).toMatch(/crates\/geometry\/src\/shapes\.rs\s+PR opened\s+https:\/\/gitea\.test\/octo\/demo\/pulls\/1/);
  });

  it('a second run with nothing new makes no write request and pushes nothing', async () => {
    const first = mockFirstRun();
    expect((await rig.run()).code).toBe(0);
    first.done();
    const remote = snapshotRemote(rig.repo.origin);

    const mock = rig.newMock();
    mockListPulls(mock, pullsAfter(first));
    const result = await rig.run();
    expect(result.code).toBe(0);
    mock.done();
    rig.expectNoToken(result);

    expect(mock.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${API}/pulls?state=all&limit=50&page=1`]);
    expect(mock.writes()).toEqual([]);
    expect(snapshotRemote(rig.repo.origin)).toBe(remote);
    const rows = rig.lastRun();
    expect(rows.get(SHAPES)).toMatchObject({ action: 'pr_unchanged', pr: { number: 1, url: prUrl(1) } });
    expect(rows.get(FORMAT)).toMatchObject({ action: 'pr_unchanged', pr: { number: 2, url: prUrl(2) } });
    expect(result.stdout).toMatch(/shapes\.rs\s+PR unchanged/);
  });
});
