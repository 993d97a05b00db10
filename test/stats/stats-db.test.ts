import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAuditSink, createQueueTables } from '../../src/jobs/queue-tables.js';
import type { AuditRow } from '../../src/report/audit-row.js';
import { baseEnv, runCliCaptured } from '../helpers/cli-harness.js';
import { createGitHubMock, GITHUB_API, OWNER, REPO, TOKEN, type GitHubMock } from '../helpers/github-mocks.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { EXPECTED, mockForgeListing, writeSyntheticHistory } from './synthetic-history.js';

let db: TestPostgres;
let url: string;
let dir: string;
let mock: GitHubMock;

beforeAll(async () => {
  db = await startPostgres();
  url = await db.createDatabase('stats');
  // The server's audit table, written by the server's own sink: the synthetic history's rows
  // (the CLI's log, then the server's) for acme/widgets, and another repository's around them.
  const work = mkdtempSync(join(tmpdir(), 'scrum-apply-stats-db-'));
  const logs = writeSyntheticHistory(work);
  const pool = new pg.Pool({ connectionString: url });
  try {
    await createQueueTables(pool);
    const sink = createAuditSink(pool, (text) => text);
    const other = 'github:acme/other';
    for (const path of [logs.cli, logs.server]) {
      for (const line of readFileSync(path, 'utf8').trim().split('\n')) {
        // jsonb keeps JSON only: the one line that is not JSON has no place in the table.
        if (!line.startsWith('{')) continue;
        const row = JSON.parse(line) as AuditRow;
        await sink(`github:${OWNER}/${REPO}`, row);
        await sink(other, { ...row, pr: row.pr === null ? null : { ...row.pr, number: row.pr.number + 100 } });
      }
    }
    // The same rows as one JSONL file, for the comparison.
    const lines = [logs.cli, logs.server].flatMap((path) => readFileSync(path, 'utf8').trim().split('\n')).filter((line) => line.startsWith('{'));
    writeFileSync(join(work, 'same-rows.jsonl'), `${lines.join('\n')}\n`);
  } finally {
    await pool.end();
  }
  dir = work;
}, 120_000);

afterAll(async () => {
  await db?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  nock.disableNetConnect();
  mock = createGitHubMock();
});

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

const githubEnv = (extra: NodeJS.ProcessEnv = {}) =>
  baseEnv({ GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_API_URL: GITHUB_API, SCRUM_APPLY_GITHUB_WRITE_SPACING: 'off', ...extra });

/** The report without what names its source or its time. */
function comparable(stdout: string): Record<string, unknown> {
  const { generatedAt: _time, input, ...rest } = JSON.parse(stdout) as { generatedAt: string; input: { logs: unknown } } & Record<string, unknown>;
  const { logs: _logs, ...counts } = input;
  return { ...rest, input: counts };
}

describe('scrum-apply stats --audit-db (the server’s audit table, real PostgreSQL)', () => {
  it('gives the same report as the JSONL file of the same rows, for the one repository named', async () => {
    mockForgeListing(mock);
    const fromFile = await runCliCaptured(['stats', '--repo', dir, '--audit-log', join(dir, 'same-rows.jsonl'), '--by', 'reviewer', '--json'], dir, githubEnv());
    expect(fromFile.code).toBe(0);
    mockForgeListing(mock);
    const fromDb = await runCliCaptured(['stats', '--repo', dir, '--audit-db', `${OWNER}/${REPO}`, '--by', 'reviewer', '--json'], dir, githubEnv({ DATABASE_URL: url }));
    expect(fromDb.stderr).not.toMatch(/failed|cannot/);
    expect(fromDb.code).toBe(0);
    mock.done();

    expect(comparable(fromDb.stdout)).toEqual(comparable(fromFile.stdout));
    const report = JSON.parse(fromDb.stdout);
    expect(report.overall).toEqual(EXPECTED.overall);
    expect(report.groups).toEqual([EXPECTED.kimi, EXPECTED.glm]);
    // 20 rows of acme/widgets (not acme/other's); the row of the wrong type named by its id.
    expect(report.input).toMatchObject({ rows: 20, malformed: 1, runRows: 1 });
    expect(report.input.logs).toHaveLength(1);
    expect(report.input.logs[0].path).toBe(`${new URL(url).protocol}//${new URL(url).username}@${new URL(url).host}${new URL(url).pathname}#github:${OWNER}/${REPO}`);
    expect(report.input.logs[0].problems).toEqual([expect.stringMatching(/^row \d+: check: expected object, received string$/)]);
  });

  it('names the forge in the repository, or takes --forge’s; offline it must be named', async () => {
    const named = await runCliCaptured(['stats', '--repo', dir, '--forge', 'none', '--audit-db', `github:${OWNER}/${REPO}`, '--json'], dir, baseEnv({ DATABASE_URL: url }));
    expect(named.code).toBe(0);
    expect(JSON.parse(named.stdout).overall.prsOpened).toBe(EXPECTED.overall.prsOpened);
    const gitea = await runCliCaptured(['stats', '--repo', dir, '--forge', 'none', '--audit-db', `gitea:${OWNER}/${REPO}`, '--json'], dir, baseEnv({ DATABASE_URL: url }));
    expect(JSON.parse(gitea.stdout).input.rows).toBe(0);
    const bare = await runCliCaptured(['stats', '--repo', dir, '--forge', 'none', '--audit-db', `${OWNER}/${REPO}`], dir, baseEnv({ DATABASE_URL: url }));
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain(`name the forge (github:${OWNER}/${REPO} or gitea:${OWNER}/${REPO})`);
  });

  it('fails in one line without DATABASE_URL, on an unreachable database (no password shown), on a database no server wrote, and with --audit-log', async () => {
    const args = ['stats', '--repo', dir, '--forge', 'none', '--audit-db', `github:${OWNER}/${REPO}`];
    const unset = await runCliCaptured(args, dir, baseEnv());
    expect(unset.code).toBe(1);
    expect(unset.stderr.trim().split('\n').at(-1)).toBe("scrum-apply: --audit-db reads the server's audit table: set DATABASE_URL");

    const password = 'pw-never-shown-7f3a';
    const unreachable = await runCliCaptured(args, dir, baseEnv({ DATABASE_URL: `postgres://scrum:${password}@127.0.0.1:9/audit` }));
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr.trim().split('\n').at(-1)).toBe('scrum-apply: cannot read the audit table at postgres://scrum@127.0.0.1:9/audit (ECONNREFUSED)');
    expect(unreachable.stderr).not.toContain(password);

    const empty = await db.createDatabase('no_server');
    const unwritten = await runCliCaptured(args, dir, baseEnv({ DATABASE_URL: empty }));
    expect(unwritten.code).toBe(1);
    expect(unwritten.stderr).toMatch(/no audit table at postgres:\/\/.*no server has written to this database/);

    const both = await runCliCaptured([...args, '--audit-log', 'x.jsonl'], dir, baseEnv({ DATABASE_URL: url }));
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--audit-db and --audit-log cannot go together/);
  });
});
