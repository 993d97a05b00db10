import { cpSync, mkdirSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLlmStandIn, type LlmStandIn } from '../../tools/demo/llm-stand-in.js';
import { DEMO_EXAMPLES, recordedAnswers } from '../../tools/demo/recorded-answers.js';
import { baseEnv, readAudit, runCliCaptured } from '../helpers/cli-harness.js';
import { createFixtureRepo, git, snapshotCheckout, snapshotRemote, type FixtureRepo } from '../helpers/fixture-repo.js';

let repo: FixtureRepo;
let llm: LlmStandIn;
let auditPath: string;
let dataDir: string;

beforeEach(async () => {
  repo = createFixtureRepo();
  mkdirSync(join(repo.dir, 'data/_kb'), { recursive: true });
  cpSync(join(DEMO_EXAMPLES, 'scrum_reviews.jsonl'), join(repo.dir, 'data/_kb/scrum_reviews.jsonl'));
  const answer = recordedAnswers();
  llm = await startLlmStandIn((req) => answer(req.prompt));
  auditPath = join(repo.root, 'audit.jsonl');
  dataDir = join(repo.root, 'data');
});

afterEach(async () => {
  await llm.close();
  repo.cleanup();
});

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return baseEnv({ SCRUM_APPLY_LLM_URL: llm.url, SCRUM_APPLY_DATA_DIR: dataDir, ...extra });
}

const EXPECTED_ACTIONS = {
  'crates/geometry/src/shapes.rs': 'committed',
  'crates/report/src/format.rs': 'committed',
  'crates/report/src/lib.rs': 'build_red_reverted',
  'crates/geometry/src/units.rs': 'all_rejected',
  'crates/geometry/src/lib.rs': 'no_patches',
};

describe('scrum-apply run on the demo workspace', () => {
  it('dry run: every step runs, the checkout and origin are left exactly as they were', async () => {
    const before = snapshotCheckout(repo.dir);
    const remoteBefore = snapshotRemote(repo.origin);
    const result = await runCliCaptured(['run', '--audit-log', auditPath], repo.dir, env());
    expect(result.stderr).not.toMatch(/run failed/);
    expect(result.code).toBe(0);
    expect(snapshotCheckout(repo.dir)).toEqual(before);
    expect(snapshotRemote(repo.origin)).toBe(remoteBefore);

    const rows = readAudit(auditPath);
    const actions = Object.fromEntries(rows.map((r) => [r.file, r.action]));
    expect(actions).toEqual(
      Object.fromEntries(Object.entries(EXPECTED_ACTIONS).map(([f, a]) => [f, a === 'committed' ? 'dry_run_committed' : a])),
    );
    expect(rows.every((r) => r.dry_run && r.trigger === 'cli')).toBe(true);
    // Scratch space is cleaned up: no worktrees or refs left anywhere.
    expect(existsSync(join(dataDir, 'scratch')) ? readdirSync(join(dataDir, 'scratch')) : []).toEqual([]);
    expect(result.stdout).toContain('crates/geometry/src/shapes.rs');
    expect(result.stdout).toMatch(/config\/settings\.rs: denied/);
  });

  it('--apply --forge none pushes one branch per green file, one commit on the base touching only that file', async () => {
    const before = snapshotCheckout(repo.dir);
    const base = git(repo.dir, 'rev-parse', 'main').trim();
    const result = await runCliCaptured(['run', '--apply', '--forge', 'none', '--audit-log', auditPath], repo.dir, env());
    expect(result.code).toBe(0);
    expect(snapshotCheckout(repo.dir)).toEqual(before);

    const rows = readAudit(auditPath);
    expect(Object.fromEntries(rows.map((r) => [r.file, r.action]))).toEqual(EXPECTED_ACTIONS);
    const branches = git(repo.origin, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/scrum-apply/').trim().split('\n').sort();
    expect(branches).toEqual(['scrum-apply/crates/geometry/src/shapes.rs', 'scrum-apply/crates/report/src/format.rs']);
    for (const branch of branches) {
      const file = branch.slice('scrum-apply/'.length);
      expect(git(repo.origin, 'rev-parse', `${branch}^`).trim()).toBe(base);
      expect(git(repo.origin, 'rev-list', '--count', `${base}..${branch}`).trim()).toBe('1');
      expect(git(repo.origin, 'diff', '--name-only', base, branch).trim()).toBe(file);
      expect(git(repo.origin, 'log', '-1', '--format=%an <%ae>', branch).trim()).toBe('scrum-apply[bot] <scrum-apply[bot]@users.noreply.github.com>');
    }
    const shapes = git(repo.origin, 'show', 'scrum-apply/crates/geometry/src/shapes.rs:crates/geometry/src/shapes.rs');
    expect(shapes).toContain('use std::f64::consts::PI;');
    expect(shapes).toContain('        PI * self.radius * self.radius');
    // The CRLF file stays CRLF, and only the edited span changed.
    const format = git(repo.origin, 'show', 'scrum-apply/crates/report/src/format.rs:crates/report/src/format.rs');
    const original = readFileSync(join(repo.dir, 'crates/report/src/format.rs'), 'utf8');
    expect(format).toBe(original.replace('pub fn describe', '#[must_use]\r\npub fn describe'));
    const green = rows.find((r) => r.file === 'crates/geometry/src/shapes.rs');
    expect(green?.patches_applied.map((p) => p.rationale)).toEqual(['import PI for Circle::area', 'use the exact constant instead of 3.14159']);
    expect(green?.check).toMatchObject({ command: 'cargo check --workspace', exit_code: 0, green: true });
    expect(green?.branch).toBe('scrum-apply/crates/geometry/src/shapes.rs');
    const red = rows.find((r) => r.file === 'crates/report/src/lib.rs');
    expect(red?.check?.green).toBe(false);
    expect(red?.branch).toBeNull();
    const rejected = rows.find((r) => r.file === 'crates/geometry/src/units.rs');
    expect(rejected?.patches_rejected.map((p) => p.reason)).toEqual([expect.stringMatching(/not found/), expect.stringMatching(/confidence 70 < minConfidence 90/)]);

    // A second run with nothing new pushes nothing.
    const remoteAfterFirst = snapshotRemote(repo.origin);
    const again = await runCliCaptured(['run', '--apply', '--forge', 'none', '--audit-log', auditPath], repo.dir, env());
    expect(again.code).toBe(0);
    expect(snapshotRemote(repo.origin)).toBe(remoteAfterFirst);
    // ...and says so: the branches are unchanged, not "pushed".
    const second = readAudit(auditPath).slice(rows.length);
    expect(second.filter((r) => r.branch !== null).map((r) => [r.file, r.action]).sort()).toEqual([
      ['crates/geometry/src/shapes.rs', 'branch_unchanged'],
      ['crates/report/src/format.rs', 'branch_unchanged'],
    ]);
    expect(again.stdout).toContain('unchanged (already pushed)');
    expect(again.stdout).not.toContain('branch pushed');
  });

  it('lists the eligible files that --max-files left for a later run, in the table and the JSON report', async () => {
    const result = await runCliCaptured(['run', '--max-files', '2', '--json', '--audit-log', auditPath], repo.dir, env());
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { results: unknown[]; notProcessed: Array<{ file: string; reason: string }> };
    expect(report.results).toHaveLength(2);
    expect(report.notProcessed).toHaveLength(3);
    expect(report.notProcessed.every((entry) => entry.reason === 'maxFiles (2) reached')).toBe(true);
    expect(result.stderr).toContain('Not processed this run (eligible, for a later run):');
    for (const entry of report.notProcessed) expect(result.stderr).toContain(`${entry.file}: maxFiles (2) reached`);
  });

  it("--json carries a red file's diagnostics: the compiler's errors (code, message, file, line), the warning count, timed_out", async () => {
    const result = await runCliCaptured(['run', '--json', '--audit-log', auditPath], repo.dir, env());
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { results: Array<{ file: string; action: string; reason: string | null; row: { check: unknown } }> };
    const red = report.results.find((entry) => entry.file === 'crates/report/src/lib.rs');
    expect(red?.action).toBe('build_red_reverted');
    expect(red?.reason).toBe('E0308 mismatched types (crates/report/src/lib.rs:14)');
    expect(red?.row.check).toMatchObject({
      green: false,
      exit_code: 101,
      timed_out: false,
      warnings: 0,
      errors: [{ code: 'E0308', message: 'mismatched types', file: 'crates/report/src/lib.rs', line: 14 }],
    });
    // The green ones say the same fields, empty.
    const green = report.results.find((entry) => entry.file === 'crates/geometry/src/shapes.rs');
    expect(green?.row.check).toMatchObject({ green: true, timed_out: false, errors: [], warnings: expect.any(Number) });
  });

  it('a review log with malformed lines still runs, and reports each bad line', async () => {
    const result = await runCliCaptured(['run', '--json', '--audit-log', auditPath], repo.dir, env());
    expect(result.code).toBe(0);
    const report: unknown = JSON.parse(result.stdout);
    expect(report).toMatchObject({ malformedLines: 1, problems: [expect.stringMatching(/^line 11: /)] });
  });
});
