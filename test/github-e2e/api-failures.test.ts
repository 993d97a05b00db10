import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { review, writeReviewLog } from '../helpers/cli-harness.js';
import { git, snapshotRemote } from '../helpers/fixture-repo.js';
import { branchOf, createE2eRig, FORMAT, mockCreatePullFor, pullsAfter, SHAPES, type E2eRig } from '../helpers/github-e2e.js';
import { mockAddLabels, mockListLabels, mockListPulls, respond } from '../helpers/github-mocks.js';

const EXTRA_A = 'crates/geometry/src/extra_a.rs';
const EXTRA_B = 'crates/geometry/src/extra_b.rs';
const EXTRA_SOURCE = 'pub fn two() -> u32 {\n    1 + 1\n}\n';
const EXTRA_ANSWER = JSON.stringify({ patches: [{ old_string: '    1 + 1', new_string: '    2', rationale: 'fold the constant', confidence: 95 }] });
const LABELS = ['scrum-apply', 'scrum-apply:committed', 'tier:auto', 'confidence:95', 'reviewer:kimi-k2:1t', 'patch-model:qwen3-coder:480b', 'patches:1', 'rejected:0', 'check:green'];

let rig: E2eRig;
beforeEach(async () => {
  // Two more green files (not in the crate's module tree, so any edit builds).
  rig = await createE2eRig({ extraFiles: { [EXTRA_A]: EXTRA_SOURCE, [EXTRA_B]: EXTRA_SOURCE }, reviews: false });
  writeReviewLog(rig.repo.dir, [review(SHAPES), review(FORMAT), review(EXTRA_A), review(EXTRA_B)]);
  rig.answer(EXTRA_A, EXTRA_ANSWER);
  rig.answer(EXTRA_B, EXTRA_ANSWER);
});
afterEach(async () => {
  await rig.close();
});

describe('GitHub API failures while publishing', () => {
  it('a 422, a persistent 5xx and a secondary rate limit: the run finishes, other files get PRs, failures are redacted error rows', async () => {
    const token = rig.target.token;
    const mock = rig.newMock();
    mockListPulls(mock, [[]]);
    // shapes.rs: GitHub refuses the PR (not retried).
    mockCreatePullFor(mock, branchOf(SHAPES), 1, {
      reply: {
        status: 422,
        payload: {
          message: 'Validation Failed',
          errors: [{ resource: 'PullRequest', code: 'custom', message: `No commits between main and ${branchOf(SHAPES)}` }],
          documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
          status: '422',
        },
      },
    });
    // format.rs: a server error that persists through Octokit's three retries; the server echoes the token.
    mockCreatePullFor(mock, branchOf(FORMAT), 2, {
      reply: { status: 502, payload: { message: `Server Error (request authorised with ${token})` } },
      times: 4,
    });
    // extra_a.rs: a secondary rate limit, waited out (retry-after: 1), then created.
    mockCreatePullFor(mock, branchOf(EXTRA_A), 3, {
      reply: {
        status: 403,
        payload: {
          message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        },
        headers: { 'retry-after': '1' },
      },
    });
    mockCreatePullFor(mock, branchOf(EXTRA_A), 3);
    // extra_b.rs: no trouble.
    mockCreatePullFor(mock, branchOf(EXTRA_B), 4);
    mockListLabels(mock, LABELS);
    mockAddLabels(mock, 3);
    mockAddLabels(mock, 4);

    const result = await rig.run();
    expect(result.stderr).not.toMatch(/run failed/);
    expect(result.code).toBe(0);
    mock.done();

    const rows = rig.lastRun();
    expect(Object.fromEntries([...rows].map(([file, row]) => [file, row.action]))).toEqual({
      [SHAPES]: 'error',
      [FORMAT]: 'error',
      [EXTRA_A]: 'pr_opened',
      [EXTRA_B]: 'pr_opened',
    });
    expect(rows.get(EXTRA_A)?.pr).toEqual({ number: 3, url: 'https://github.com/octo/demo/pull/3' });
    expect(rows.get(EXTRA_B)?.pr).toEqual({ number: 4, url: 'https://github.com/octo/demo/pull/4' });

    const refused = rows.get(SHAPES);
    expect(refused).toMatchObject({ pr: null, error: expect.stringMatching(/^GitHub creating a pull request for scrum-apply\/crates\/geometry\/src\/shapes\.rs failed \(HTTP 422\): /) });
    expect(refused?.error).toContain('Validation Failed');
    const broken = rows.get(FORMAT);
    expect(broken).toMatchObject({ pr: null, error: expect.stringMatching(/\(HTTP 502\): .*Server Error \(request authorised with \[REDACTED\]\)/) });
    for (const [file, row] of [[SHAPES, refused], [FORMAT, broken]] as const) {
      expect(row?.error).not.toMatch(/\n/);
      // What was done before the API refused stays on record: patches, check, the pushed branch.
      expect(row?.branch).toBe(branchOf(file));
      expect(row?.check).toMatchObject({ green: true, exit_code: 0 });
      expect(row?.patches_applied.length).toBeGreaterThan(0);
    }

    // Every request: 1 for the 422, 4 for the 5xx (3 retries), 2 for the rate limit, 1 more PR.
    const posts = mock.requests.filter((r) => r.method === 'POST' && r.path === '/repos/octo/demo/pulls');
    const heads = posts.map((r) => String((r.body as { head?: unknown }).head));
    expect(heads.filter((h) => h === branchOf(SHAPES))).toHaveLength(1);
    expect(heads.filter((h) => h === branchOf(FORMAT))).toHaveLength(4);
    expect(heads.filter((h) => h === branchOf(EXTRA_A))).toHaveLength(2);
    expect(heads.filter((h) => h === branchOf(EXTRA_B))).toHaveLength(1);
    expect(result.stderr).toContain('GitHub rate limit hit');

    // The token is nowhere: not in the audit log, not on stdout or stderr.
    expect(readFileSync(rig.auditPath, 'utf8')).not.toContain(token);
    expect(result.stdout).not.toContain(token);
    expect(result.stderr).not.toContain(token);
    expect(result.stdout).toMatch(/format\.rs\s+error\s+scrum-apply\/crates\/report\/src\/format\.rs\s+GitHub creating a pull request/);

    // The failed files' branches were pushed before the API refused; the next run takes them from there.
    const branches = git(rig.repo.origin, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/scrum-apply/').trim().split('\n');
    expect(branches.sort()).toEqual([SHAPES, FORMAT, EXTRA_A, EXTRA_B].map(branchOf).sort());

    // The next run, with the API well again, opens the two missing PRs and leaves the others be.
    const base = git(rig.repo.origin, 'rev-parse', 'main').trim();
    const again = rig.newMock();
    const numbers: Record<string, number> = { [branchOf(EXTRA_A)]: 3, [branchOf(EXTRA_B)]: 4 };
    const open = pullsAfter(mock, (head) => numbers[head] ?? 0).filter((pull, i, all) => pull.number !== 0 && all.findIndex((p) => p.number === pull.number) === i);
    expect(open.map((pull) => pull.number).sort()).toEqual([3, 4]);
    mockListPulls(again, [open]);
    mockCreatePullFor(again, branchOf(SHAPES), 5);
    mockCreatePullFor(again, branchOf(FORMAT), 6);
    mockListLabels(again, [...LABELS, 'patches:2']);
    mockAddLabels(again, 5);
    mockAddLabels(again, 6);
    expect((await rig.run()).code).toBe(0);
    again.done();
    const second = rig.lastRun();
    expect(Object.fromEntries([...second].map(([file, row]) => [file, [row.action, row.pr?.number]]))).toEqual({
      [SHAPES]: ['pr_opened', 5],
      [FORMAT]: ['pr_opened', 6],
      [EXTRA_A]: ['pr_unchanged', 3],
      [EXTRA_B]: ['pr_unchanged', 4],
    });
    for (const file of [SHAPES, FORMAT]) {
      expect(git(rig.repo.origin, 'rev-parse', `${branchOf(file)}^`).trim()).toBe(base);
    }
  }, 120_000); // Octokit's own back-off for the 5xx alone is 1 + 4 + 9 s

  it('a token GitHub refuses fails the run before anything is pushed: exit 1, one redacted line', async () => {
    const token = rig.target.token;
    const remote = snapshotRemote(rig.repo.origin);
    const mock = rig.newMock();
    mock.scope
      .get('/repos/octo/demo/pulls')
      .query({ state: 'all', per_page: '100' })
      .reply(respond(mock, 'GET', { status: 401, payload: { message: `Bad credentials: ${token}`, documentation_url: 'https://docs.github.com/rest' } }, 401));
    const result = await rig.run();
    expect(result.code).toBe(1);
    mock.done();
    const lines = result.stderr.trim().split('\n');
    expect(lines.at(-1)).toBe('scrum-apply: run failed: GitHub listing pull requests failed (HTTP 401): Bad credentials: [REDACTED] - https://docs.github.com/rest');
    expect(result.stderr).not.toContain(token);
    expect(result.stdout).toBe('');
    expect(snapshotRemote(rig.repo.origin)).toBe(remote);
    expect(rig.llm.requests).toEqual([]);
  });
});
