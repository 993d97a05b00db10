import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalGitHub, type LocalGitHub, type LocalPull } from '../../tools/bench/local-github.js';
import type { RunReport } from '../../src/pipeline/run-types.js';
import type { AuditRow } from '../../src/report/audit-row.js';
import { baseEnv, readAudit, review, runCliCaptured, type CliOutcome } from '../helpers/cli-harness.js';
import { createFixtureRepo, type FixtureRepo } from '../helpers/fixture-repo.js';
import { expectNoSecrets, FORMAT, GEOMETRY_LIB, GREEN_ANSWERS, pushedText, randomGitHubToken, REPORT_LIB, SHAPES, UNITS } from './helpers/harness.js';
import { startHostileLlm, type HostileLlm } from './helpers/hostile-llm.js';

/**
 * Everything bounded, in one run: a 5 MB review-log line, more rows than maxReviewRows, a
 * 300 KB review, model answers far over the byte cap (declared and streamed), a model that
 * never answers and one that trickles, and a check that prints megabytes. Each costs its own
 * item at most; the run finishes in bounded time and the one good file gets its PR.
 */
const TOKEN = randomGitHubToken();
const EXTRA = 'crates/geometry/src/extra.rs';
const LATE = 'crates/geometry/src/late.rs';
const LLM_TIMEOUT_S = 4;
const MIB = 1024 * 1024;

let repo: FixtureRepo;
let llm: HostileLlm;
let github: LocalGitHub;
let result: CliOutcome;
let report: RunReport;
let rows: AuditRow[];
let pulls: LocalPull[];
let wallMs = 0;

beforeAll(async () => {
  process.env.GITHUB_TOKEN = TOKEN;
  repo = createFixtureRepo({
    prefix: 'scrum-adv-oversized-',
    extraFiles: {
      [EXTRA]: 'pub fn extra() {}\n',
      [LATE]: 'pub fn late() {}\n',
      'tools/loud-check.sh': "#!/bin/sh\nyes 'LOUD-LINE-0123456789012345678901234567890123456789012345678901234567890123456789' | head -n 40000\necho LOUD-TAIL-MARKER\nexec cargo check --workspace\n",
    },
  });
  const line = (row: Record<string, unknown>) => JSON.stringify(row);
  const lines = [
    // Line 1: 5 MB; had it been read, geometry/lib.rs would be processed.
    line(review(GEOMETRY_LIB, { suggestions_preview: 'y'.repeat(5 * MIB) })),
    line(review(SHAPES, { suggestions_preview: `Use PI. ${'z'.repeat(300 * 1024)}` })),
    line(review(FORMAT)),
    line(review(UNITS)),
    line(review(REPORT_LIB)),
    line(review(EXTRA)),
    // Line 7 is past maxReviewRows (6).
    line(review(LATE)),
  ];
  mkdirSync(join(repo.dir, 'data/_kb'), { recursive: true });
  writeFileSync(join(repo.dir, 'data/_kb/scrum_reviews.jsonl'), `${lines.join('\n')}\n`);
  repo.write(
    '.github/scrum-apply.yml',
    `maxReviewRows: 6\nllm:\n  timeoutSeconds: ${LLM_TIMEOUT_S}\ncheck:\n  command: sh tools/loud-check.sh\n`,
  );
  llm = await startHostileLlm({
    [SHAPES]: { kind: 'answer', content: GREEN_ANSWERS[SHAPES] ?? '' },
    [FORMAT]: { kind: 'huge-declared', bytes: 3 * MIB },
    [UNITS]: { kind: 'huge-streamed', bytes: 3 * MIB },
    [REPORT_LIB]: { kind: 'silent' },
    [EXTRA]: { kind: 'trickle', intervalMs: 200 },
  });
  github = await startLocalGitHub({ owner: 'adversarial', repo: 'oversized' });
  const env = baseEnv({
    SCRUM_APPLY_LLM_URL: llm.url,
    SCRUM_APPLY_DATA_DIR: join(repo.root, 'data'),
    GITHUB_TOKEN: TOKEN,
    GITHUB_REPOSITORY: github.repository,
    GITHUB_API_URL: github.url,
    SCRUM_APPLY_GITHUB_WRITE_SPACING: 'off',
  });
  const auditPath = join(repo.root, 'audit.jsonl');
  const started = Date.now();
  result = await runCliCaptured(['run', '--apply', '--forge', 'github', '--json', '--max-files', '20', '--audit-log', auditPath], repo.dir, env);
  wallMs = Date.now() - started;
  report = JSON.parse(result.stdout) as RunReport;
  rows = readAudit(auditPath);
  pulls = github.pulls();
}, 180_000);

afterAll(async () => {
  delete process.env.GITHUB_TOKEN;
  await llm?.close();
  await github?.close();
  repo?.cleanup();
});

function rowOf(file: string): AuditRow | undefined {
  return rows.find((row) => row.file === file);
}

describe('oversized and endless input', () => {
  it('the run finishes, in bounded time, and the good file gets its PR', () => {
    expect(result.code).toBe(0);
    expect(rowOf(SHAPES)?.action).toBe('pr_opened');
    expect(rows.map((r) => r.file).sort()).toEqual([EXTRA, FORMAT, REPORT_LIB, SHAPES, UNITS].sort());
    // The slow answers cost their own time limit, in parallel, not the run's.
    expect(wallMs).toBeLessThan(60_000);
  });

  it('a 5 MB review-log line is a malformed line, not read', () => {
    expect(report.problems).toContain(`line 1: longer than ${MIB} bytes`);
    expect(report.malformedLines).toBe(1);
    expect(llm.asked).not.toContain(GEOMETRY_LIB);
    expect(report.results.map((r) => r.file)).not.toContain(GEOMETRY_LIB);
  });

  it('rows past maxReviewRows are not read, and the report says so first', () => {
    expect(report.problems[0]).toMatch(/^line 7: more than 6 rows \(maxReviewRows\)/);
    expect(llm.asked).not.toContain(LATE);
    expect(report.results.map((r) => r.file)).not.toContain(LATE);
    expect(result.stderr).toMatch(/more rows than maxReviewRows/);
  });

  it('a model answer over the byte cap — declared or streamed — costs that file only', () => {
    for (const file of [FORMAT, UNITS]) {
      expect(rowOf(file)?.action).toBe('no_patches');
      expect(rowOf(file)?.reason).toBe(`model answer larger than ${MIB} bytes`);
    }
  });

  it('a model that never answers, or trickles forever, is cut off at the time limit', () => {
    for (const file of [REPORT_LIB, EXTRA]) {
      expect(rowOf(file)?.action).toBe('no_patches');
      expect(rowOf(file)?.reason).toBe(`LLM request timed out after ${LLM_TIMEOUT_S} s`);
    }
  });

  it('megabytes of check output are cut to head and tail; the PR body stays under its limit', () => {
    const body = pulls.find((p) => p.head === `scrum-apply/${SHAPES}`)?.body ?? '';
    expect(body.length).toBeGreaterThan(20_000);
    expect(body.length).toBeLessThanOrEqual(60_000);
    expect(body).toContain('LOUD-TAIL-MARKER');
    // 3 MB printed, at most 256 KiB kept (head + tail) before the body takes its share.
    const total = /Output \(last [\d,]+ of ([\d,]+) characters\)/.exec(body)?.[1];
    expect(Number(total?.replace(/,/g, ''))).toBeLessThanOrEqual(257 * 1024);
    expect(body).toMatch(/Review excerpt \(first [\d,]+ of [\d,]+ characters\)/);
  });

  it('nothing secret in any output', () => {
    expectNoSecrets({ stdout: result.stdout, stderr: result.stderr, audit: JSON.stringify(rows), prs: pulls.map((p) => p.body).join('\n'), pushed: pushedText(repo.origin) }, [TOKEN]);
  });
});
