import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLlmStandIn, type LlmStandIn } from '../../tools/demo/llm-stand-in.js';
import { recordedAnswers } from '../../tools/demo/recorded-answers.js';
import { baseEnv, readAudit, review, runCliCaptured, writeReviewLog } from '../helpers/cli-harness.js';
import { createFixtureRepo, git, snapshotCheckout, type FixtureRepo } from '../helpers/fixture-repo.js';

let repo: FixtureRepo;
let llm: LlmStandIn;

beforeEach(async () => {
  repo = createFixtureRepo();
  const answer = recordedAnswers();
  llm = await startLlmStandIn((req) => answer(req.prompt));
});

afterEach(async () => {
  await llm.close();
  repo.cleanup();
});

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return baseEnv({ SCRUM_APPLY_LLM_URL: llm.url, SCRUM_APPLY_DATA_DIR: join(repo.root, 'data'), ...extra });
}

describe('scrum-apply CLI: usage, exit codes and one-line errors', () => {
  it('--help and --version exit 0 on stdout', async () => {
    const help = await runCliCaptured(['--help'], repo.dir, env());
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage:/);
    expect(help.stdout).toContain('--forge github|gitea|none');
    const version = await runCliCaptured(['--version'], repo.dir, env());
    expect(version).toEqual({ code: 0, stdout: 'test\n', stderr: '' });
  });

  it.each([
    [[], 'missing command: try "scrum-apply run" or "scrum-apply stats"; see scrum-apply --help'],
    [['deploy'], 'unknown command "deploy"; see scrum-apply --help'],
    [['run', '--frobnicate'], 'unknown option --frobnicate; see scrum-apply run --help'],
    [['run', '-x'], 'unknown option -x; see scrum-apply run --help'],
    [['run', '-hx'], 'unknown option -x; see scrum-apply run --help'],
    [['run', 'extra'], 'unexpected argument "extra"; see scrum-apply run --help'],
    [['run', '--json=yes'], '--json takes no value; see scrum-apply run --help'],
    [['run', '--max-files'], '--max-files needs a value; see scrum-apply run --help'],
    [['run', '--max-files', '--json'], '--max-files needs a value; see scrum-apply run --help'],
    [['run', '--forge', 'gitlab'], '--forge must be github, gitea or none, got "gitlab"; see scrum-apply run --help'],
    [['run', '--max-files', 'many'], '--max-files must be a whole number between 1 and 1000, got "many"; see scrum-apply run --help'],
    [['run', '--max-files', '2.5'], '--max-files must be a whole number between 1 and 1000, got "2.5"; see scrum-apply run --help'],
    [['run', '--max-files', '-3'], '--max-files must be between 1 and 1000, got -3; see scrum-apply run --help'],
    [['run', '--max-files=-3'], '--max-files must be between 1 and 1000, got -3; see scrum-apply run --help'],
    [['run', '--max-files', '0'], '--max-files must be between 1 and 1000, got 0; see scrum-apply run --help'],
    [['run', '--min-confidence', '101'], '--min-confidence must be between 0 and 100, got 101; see scrum-apply run --help'],
    [['run', '--concurrency', '-1'], '--concurrency must be between 1 and 64, got -1; see scrum-apply run --help'],
  ])('usage error %j exits 2 with one line in our words', async (args, message) => {
    const result = await runCliCaptured(args, repo.dir, env());
    expect(result).toEqual({ code: 2, stdout: '', stderr: `scrum-apply: ${message}\n` });
  });

  it('run --help shows the help', async () => {
    const help = await runCliCaptured(['run', '--help'], repo.dir, env());
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage:/);
    expect(help.stdout).toContain("the original script's LH_APPLIER_* aliases");
    expect(help.stdout).not.toMatch(/seed/);
  });

  it('run failures exit 1 with one line: not a repository, no model URL, invalid config, bad env alias', async () => {
    writeReviewLog(repo.dir, [review('crates/geometry/src/shapes.rs')]);
    const outside = mkdtempSync(join(tmpdir(), 'scrum-apply-norepo-'));
    const cases: Array<[string, NodeJS.ProcessEnv, RegExp]> = [
      [outside, env(), /not a git repository/],
      [repo.dir, baseEnv({ SCRUM_APPLY_DATA_DIR: join(repo.root, 'data') }), /no patch model configured: set SCRUM_APPLY_LLM_URL/],
      [repo.dir, env({ LH_APPLIER_MAX_FILES: 'abc' }), /LH_APPLIER_MAX_FILES/],
    ];
    for (const [cwd, e, message] of cases) {
      const result = await runCliCaptured(['run'], cwd, e);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    mkdirSync(join(repo.dir, '.github'), { recursive: true });
    writeFileSync(join(repo.dir, '.github/scrum-apply.yml'), 'check:\n  timeoutSeconds: soon\n');
    const invalid = await runCliCaptured(['run'], repo.dir, env());
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/\.github\/scrum-apply\.yml.*check\.timeoutSeconds/);
    expect(invalid.stderr.trim().split('\n')).toHaveLength(1);
    expect(llm.requests).toEqual([]);
  });

  it("honours the seed's LH_APPLIER_* variables: COMMIT=1 applies, MAX_FILES, BRANCH prefix, MIN_CONF, MODEL", async () => {
    writeReviewLog(repo.dir, [
      review('crates/geometry/src/shapes.rs', { confidence_avg: 97 }),
      review('crates/report/src/format.rs', { confidence_avg: 96 }),
      review('crates/geometry/src/units.rs', { confidence_avg: 93 }),
    ]);
    const audit = join(repo.root, 'audit.jsonl');
    const result = await runCliCaptured(
      ['run', '--forge', 'none', '--audit-log', audit],
      repo.dir,
      env({ LH_APPLIER_COMMIT: '1', LH_APPLIER_MAX_FILES: '1', LH_APPLIER_BRANCH: 'bot/fixes', LH_APPLIER_MIN_CONF: '95', LH_APPLIER_MODEL: 'tiny-coder:1b' }),
    );
    expect(result.code, result.stderr).toBe(0);
    const rows = readAudit(audit);
    // MIN_CONF=95 leaves shapes (97) and format (96); MAX_FILES=1 takes the best one.
    expect(rows.map((r) => [r.file, r.action, r.patch_model, r.dry_run])).toEqual([['crates/geometry/src/shapes.rs', 'committed', 'tiny-coder:1b', false]]);
    expect(git(repo.origin, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/bot/').trim()).toBe('bot/fixes/crates/geometry/src/shapes.rs');
    expect(llm.requests).toHaveLength(1);
    expect(llm.requests[0]?.body).toMatchObject({ model: 'tiny-coder:1b' });
    expect(result.stdout).toMatch(/units\.rs: confidence_avg 93 < 95/);
  });

  it('a dry run needs no forge token: GITHUB_REPOSITORY without GITHUB_TOKEN runs', async () => {
    writeReviewLog(repo.dir, [review('crates/geometry/src/shapes.rs')]);
    const audit = join(repo.root, 'audit.jsonl');
    const result = await runCliCaptured(['run', '--audit-log', audit], repo.dir, env({ GITHUB_REPOSITORY: 'acme/widgets' }));
    expect(result.code, result.stderr).toBe(0);
    expect(readAudit(audit).map((r) => [r.file, r.action])).toEqual([['crates/geometry/src/shapes.rs', 'dry_run_committed']]);
    const applied = await runCliCaptured(['run', '--apply', '--audit-log', audit], repo.dir, env({ GITHUB_REPOSITORY: 'acme/widgets' }));
    expect(applied).toMatchObject({ code: 1, stderr: 'scrum-apply: --forge github needs GITHUB_TOKEN\n' });
  });

  it('the audit log defaults to the git directory: .git/scrum-apply/audit.jsonl, the work tree untouched', async () => {
    writeReviewLog(repo.dir, [review('crates/geometry/src/shapes.rs')]);
    const before = snapshotCheckout(repo.dir);
    const result = await runCliCaptured(['run'], repo.dir, env());
    expect(result.code, result.stderr).toBe(0);
    expect(snapshotCheckout(repo.dir)).toEqual(before);
    expect(readAudit(join(repo.dir, '.git/scrum-apply/audit.jsonl')).map((r) => r.action)).toEqual(['dry_run_committed']);
    expect(existsSync(join(repo.dir, 'data/_kb/auto_apply.jsonl'))).toBe(false);
  });

  it('--only restricts the run to the named files', async () => {
    writeReviewLog(repo.dir, [review('crates/geometry/src/shapes.rs'), review('crates/report/src/format.rs')]);
    const audit = join(repo.root, 'audit.jsonl');
    const result = await runCliCaptured(['run', '--only', 'crates/report/src/format.rs', '--audit-log', audit], repo.dir, env());
    expect(result.code, result.stderr).toBe(0);
    expect(readAudit(audit).map((r) => r.file)).toEqual(['crates/report/src/format.rs']);
  });
});
