import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { baseEnv, runCliCaptured } from '../helpers/cli-harness.js';
import { auditRow, sha, writeAuditLog } from '../helpers/audit-rows.js';
import { createGitHubMock, GITHUB_API, mockListPulls, OWNER, pullPayload, REPO, TOKEN, type GitHubMock } from '../helpers/github-mocks.js';
import { EXPECTED, mockForgeListing, writeSyntheticHistory } from './synthetic-history.js';

let dir: string;
let mock: GitHubMock;

beforeEach(() => {
  nock.disableNetConnect();
  mock = createGitHubMock();
  dir = mkdtempSync(join(tmpdir(), 'scrum-apply-stats-'));
});

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  rmSync(dir, { recursive: true, force: true });
});

const githubEnv = () =>
  baseEnv({ GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_API_URL: GITHUB_API, SCRUM_APPLY_GITHUB_WRITE_SPACING: 'off' });

function statsArgs(logs: { cli: string; server: string }, ...extra: string[]): string[] {
  return ['stats', '--repo', dir, '--audit-log', logs.cli, '--audit-log', logs.server, ...extra];
}

describe('scrum-apply stats on a synthetic history with a known truth', () => {
  it('--json: every funnel number, per reviewer and overall, from two logs and one paginated listing', async () => {
    const logs = writeSyntheticHistory(dir);
    mockForgeListing(mock);
    const result = await runCliCaptured(statsArgs(logs, '--forge', 'github', '--by', 'reviewer', '--json'), dir, githubEnv());
    expect(result.stderr).not.toMatch(/failed/);
    expect(result.code).toBe(0);
    mock.done();
    // One listing of two pages: never a request per PR.
    expect(mock.requests.map((r) => r.path)).toEqual([`${mock.repoPath}/pulls?state=all&per_page=100`, `${mock.repoPath}/pulls?state=all&per_page=100&page=2`]);

    const report = JSON.parse(result.stdout);
    expect(report.input).toMatchObject({ rows: 21, malformed: 2, runRows: 1, beforeSince: 0 });
    expect(report.input.logs.map((log: { malformed: number }) => log.malformed)).toEqual([1, 1]);
    expect(report.input.logs[0].problems).toEqual(['line 9: not valid JSON']);
    expect(report.prsListed).toBe(9); // 8 of the log's PRs and one it never mentions; not the person's
    expect(report.overall).toEqual(EXPECTED.overall);
    expect(report.groups).toEqual([EXPECTED.kimi, EXPECTED.glm]);
    // Nine PRs, none in a bucket with 20 decided: no suggestion.
    expect(report.calibration.suggestion).toEqual({ type: 'too_little_data', decided: 6, needed: 20 });
  });

  it('the terminal table shows the funnel, and the malformed lines it skipped', async () => {
    const logs = writeSyntheticHistory(dir);
    mockForgeListing(mock);
    const result = await runCliCaptured(statsArgs(logs, '--forge', 'github', '--by', 'reviewer'), dir, githubEnv());
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('scrum-apply stats — 21 audit rows from 2 logs · 9 bot PRs listed on github · 2 malformed lines skipped · by reviewer');
    expect(lines.find((l) => l.startsWith('reviews selected'))).toMatch(/^reviews selected\s+15\s+10\s+5$/);
    expect(lines.find((l) => l.startsWith('PR opened'))).toMatch(/^PR opened\s+9 \(75 %\)\s+6 \(86 %\)\s+3 \(60 %\)$/);
    expect(lines.find((l) => l.includes('merged as proposed'))).toMatch(/^ {2}merged as proposed\s+3 \(33 %\)\s+1 \(17 %\)\s+2 \(67 %\)$/);
    expect(lines.find((l) => l.startsWith('merge rate'))).toMatch(/86 % \(6\/7\)\s+75 % \(3\/4\)\s+100 % \(3\/3\)$/);
    expect(lines.find((l) => l.startsWith('median time'))).toMatch(/6\.0 h\s+7\.0 h\s+6\.0 h$/);
    expect(result.stdout).toContain('No suggestion for minConfidence yet: no confidence bucket has 20 decided PRs (6 decided in all).');
    expect(result.stdout).toContain('server.jsonl: skipped line 3: check: expected object, received string');
  });

  it('--since keeps later rows only, while the PRs’ commits recorded earlier still judge their merges', async () => {
    const logs = writeSyntheticHistory(dir);
    mockForgeListing(mock);
    const result = await runCliCaptured(statsArgs(logs, '--forge', 'github', '--since', '2026-06-02', '--json'), dir, githubEnv());
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    // Later rows: a1 again (no patches), #1 unchanged, #3's skip, #9 updated by the newer review.
    expect(report.since).toBe('2026-06-02T00:00:00.000Z');
    expect(report.input.beforeSince).toBe(14);
    expect(report.overall).toMatchObject({ selected: 4, answered: 3, passedGates: 3, green: 3, prsOpened: 2 });
    // #1 is owned by its "unchanged" row, and judged by the commit recorded before --since.
    expect(report.overall.outcomes).toMatchObject({ merged_as_proposed: 2, merged_after_edits: 0 });
  });

  it('--forge none works offline: the funnel up to "PR opened", no suggestion', async () => {
    const logs = writeSyntheticHistory(dir);
    const result = await runCliCaptured(statsArgs(logs, '--forge', 'none', '--json'), dir, baseEnv());
    expect(result.code).toBe(0);
    expect(mock.requests).toEqual([]);
    const report = JSON.parse(result.stdout);
    expect(report.prsListed).toBeNull();
    expect(report.overall).toEqual({
      ...EXPECTED.overall,
      outcomes: null,
      decided: null,
      mergeRate: null,
      precision: null,
      medianHoursToDecision: null,
    });
    expect(report.calibration.suggestion).toEqual({ type: 'needs_forge' });
  });

  it('fails in one line on a missing log, a forge error and bad options', async () => {
    const logs = writeSyntheticHistory(dir);
    const missing = await runCliCaptured(['stats', '--repo', dir, '--forge', 'none', '--audit-log', join(dir, 'nope.jsonl')], dir, baseEnv());
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr.trim().split('\n').at(-1)).toBe(`scrum-apply: audit log not found: ${join(dir, 'nope.jsonl')}`);

    mock.scope.get(`${mock.repoPath}/pulls`).query(true).reply(401, { message: 'Bad credentials' });
    const denied = await runCliCaptured(statsArgs(logs, '--forge', 'github'), dir, githubEnv());
    expect(denied.code).toBe(1);
    expect(denied.stderr.trim().split('\n').at(-1)).toMatch(/^scrum-apply: stats failed: .*listing pull requests/);
    expect(denied.stderr).not.toContain(TOKEN);

    for (const [args, message] of [
      [['stats', '--by', 'colour'], /--by must be one of reviewer, patch-model, tier, confidence, file-kind/],
      [['stats', '--since', 'last tuesday'], /--since must be a date/],
      [['stats', '--target-precision', '0'], /--target-precision must be a share/],
      [['stats', '--json', '--markdown'], /cannot go together/],
      [['stats', '--apply'], /--apply is not an option of stats/],
      [['run', '--by', 'tier'], /--by is not an option of run/],
    ] as const) {
      const result = await runCliCaptured([...args], dir, baseEnv());
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  });

  it('joins PRs opened under an earlier branchPrefix: every prefix the rows show, from one listing', async () => {
    const file = (name: string) => `crates/app/src/${name}.rs`;
    const onBranch = (row: Record<string, unknown>, branch: string) => ({ ...row, branch });
    // The config says scrum-apply/ (the default); the bot used bot/ before, and a name once shortened.
    const log = writeAuditLog(join(dir, 'audit.jsonl'), [
      onBranch(auditRow({ file: file('old1') }, { action: 'pr_opened', pr: 11, headSha: sha(11) }), `bot/${file('old1')}`),
      onBranch(auditRow({ file: file('old2') }, { action: 'pr_opened', pr: 12, headSha: sha(12) }), `bot/${file('old2')}`),
      auditRow({ file: file('new1') }, { action: 'pr_opened', pr: 13, headSha: sha(13) }),
      onBranch(auditRow({ file: file('long') }, { action: 'pr_opened', pr: 14, headSha: sha(14) }), 'old/crates/app-1a2b3c4d'),
    ]);
    const closed = { state: 'closed' as const, createdAt: '2026-06-01T10:00:00Z', closedAt: '2026-06-01T12:00:00Z' };
    mockListPulls(mock, [
      [
        pullPayload({ number: 11, head: `bot/${file('old1')}`, merged: true, headSha: sha(11), ...closed }),
        pullPayload({ number: 12, head: `bot/${file('old2')}`, merged: false, ...closed }),
        pullPayload({ number: 13, head: `scrum-apply/${file('new1')}`, merged: true, headSha: sha(13), ...closed }),
        pullPayload({ number: 14, head: 'old/crates/app-1a2b3c4d' }),
        pullPayload({ number: 15, head: `bot/${file('never-logged')}` }),
        pullPayload({ number: 16, head: 'feature/a-person', merged: true, ...closed }),
      ],
    ]);
    const result = await runCliCaptured(['stats', '--repo', dir, '--audit-log', log, '--forge', 'github', '--json'], dir, githubEnv());
    expect(result.code).toBe(0);
    mock.done();
    expect(mock.requests.map((r) => r.path)).toEqual([`${mock.repoPath}/pulls?state=all&per_page=100`]);
    const report = JSON.parse(result.stdout);
    // 11–15: both prefixes and the shortened branch; not the person's #16.
    expect(report.prsListed).toBe(5);
    expect(report.overall.prsOpened).toBe(4);
    expect(report.overall.outcomes).toMatchObject({ merged_as_proposed: 2, closed_unmerged: 1, open: 1, unknown: 0 });
  });
});
