import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLocalGitHub, type LocalGitHub } from '../../tools/bench/local-github.js';
import { startLlmStandIn, type LlmStandIn } from '../../tools/demo/llm-stand-in.js';
import { DEMO_EXAMPLES, recordedAnswers } from '../../tools/demo/recorded-answers.js';
import { baseEnv } from '../helpers/cli-harness.js';
import { createFixtureRepo, git, type FixtureRepo } from '../helpers/fixture-repo.js';
import { branchOf, FORMAT, RED, randomToken, SHAPES } from '../helpers/github-e2e.js';

/**
 * The Action as a runner runs it: `node action/index.mjs` (the committed bundle action.yml
 * names) in the checkout, with the inputs as `INPUT_*` variables and the runner's `GITHUB_*`
 * ones, against a GitHub API stand-in on 127.0.0.1, the LLM stand-in and a local bare origin.
 */
const ENTRY = resolve(import.meta.dirname, '../../action/index.mjs');

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runEntry(cwd: string, env: NodeJS.ProcessEnv): Promise<Outcome> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [ENTRY], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** `$GITHUB_OUTPUT` as the runner reads it: `name<<DELIMITER`, lines, the delimiter. */
function readOutputs(path: string): Record<string, string> {
  const lines = readFileSync(path, 'utf8').split('\n');
  const outputs: Record<string, string> = {};
  for (let i = 0; i < lines.length; i += 1) {
    const match = /^([\w-]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!match?.[1] || !match[2]) continue;
    const end = lines.indexOf(match[2], i + 1);
    expect(end, `the delimiter closing ${match[1]}`).toBeGreaterThan(i);
    outputs[match[1]] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return outputs;
}

let repo: FixtureRepo;
let llm: LlmStandIn;
let github: LocalGitHub;
let token: string;
let runnerTemp: string;

beforeEach(async () => {
  repo = createFixtureRepo({ prefix: 'scrum-apply-action-' });
  mkdirSync(join(repo.dir, 'data/_kb'), { recursive: true });
  cpSync(join(DEMO_EXAMPLES, 'scrum_reviews.jsonl'), join(repo.dir, 'data/_kb/scrum_reviews.jsonl'));
  const answer = recordedAnswers();
  llm = await startLlmStandIn((request) => answer(request.prompt));
  github = await startLocalGitHub({ owner: 'octo', repo: 'demo' });
  token = randomToken();
  runnerTemp = join(repo.root, 'runner-temp');
  mkdirSync(runnerTemp);
});
afterEach(async () => {
  await github.close();
  await llm.close();
  repo.cleanup();
});

/** What the runner sets for `uses: …/scrum-apply@v0` with `with: { apply: true, llm-url: … }`. */
function runnerEnv(step: number, inputs: Record<string, string> = {}): NodeJS.ProcessEnv {
  const declared = { apply: 'true', forge: '', 'max-files': '', 'min-confidence': '', model: '', reviews: '', only: '', token, 'llm-url': llm.url, 'llm-key': '', ...inputs };
  const env = baseEnv({
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'schedule',
    GITHUB_ACTOR: 'octocat',
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_RUN_ID: String(9000 + step),
    GITHUB_REPOSITORY: github.repository,
    GITHUB_API_URL: github.url,
    GITHUB_WORKSPACE: repo.dir,
    GITHUB_OUTPUT: join(runnerTemp, `output-${step}`),
    GITHUB_STEP_SUMMARY: join(runnerTemp, `summary-${step}`),
    RUNNER_TEMP: runnerTemp,
    SCRUM_APPLY_DATA_DIR: join(repo.root, 'data'),
    SCRUM_APPLY_GITHUB_WRITE_SPACING: 'off',
  });
  for (const [name, value] of Object.entries(declared)) env[`INPUT_${name.toUpperCase()}`] = value;
  writeFileSync(env.GITHUB_OUTPUT ?? '', '');
  writeFileSync(env.GITHUB_STEP_SUMMARY ?? '', '');
  return env;
}

describe('the Action entry (action/index.mjs) under a runner', () => {
  it('opens one PR per green file and writes the report path and counts to $GITHUB_OUTPUT', async () => {
    const env = runnerEnv(1);
    const result = await runEntry(repo.dir, env);
    expect(result.stderr).not.toMatch(/run failed|error:/);
    expect(result.code).toBe(0);

    expect(github.pulls().map((p) => `${p.head} → ${p.base} (${p.state})`).sort()).toEqual([
      `${branchOf(SHAPES)} → main (open)`,
      `${branchOf(FORMAT)} → main (open)`,
    ]);
    expect(github.counts().unexpected).toEqual([]);
    // The scheduled run opened the dashboard issue, linked to its workflow run.
    const [dashboard, ...others] = github.issues();
    expect(others).toEqual([]);
    expect(dashboard).toMatchObject({ title: 'scrum-apply dashboard', state: 'open', labels: ['scrum-apply'] });
    expect(dashboard?.body).toContain('[workflow run](https://github.example/octo/demo/actions/runs/9001)');
    expect(dashboard?.body).toContain(`retry \`${RED}\``);
    expect(git(repo.origin, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/scrum-apply/').trim().split('\n').sort()).toEqual([
      branchOf(SHAPES),
      branchOf(FORMAT),
    ]);

    const outputs = readOutputs(env.GITHUB_OUTPUT ?? '');
    expect(outputs).toEqual({ report: expect.stringMatching(/report\.json$/), opened: '2', updated: '0', red: '1' });
    expect(outputs.report?.startsWith(`${runnerTemp}/`)).toBe(true);
    const report: unknown = JSON.parse(readFileSync(outputs.report ?? '', 'utf8'));
    expect(report).toMatchObject({ dryRun: false, forge: 'github', baseBranch: 'main' });
    expect(JSON.stringify(report)).toContain(RED);
    expect(readFileSync(env.GITHUB_STEP_SUMMARY ?? '', 'utf8')).toContain(SHAPES);

    // The token was an input: it reached GitHub, and nothing the step printed or left behind.
    for (const text of [result.stdout, result.stderr, readFileSync(outputs.report ?? '', 'utf8'), readFileSync(env.GITHUB_OUTPUT ?? '', 'utf8')]) {
      expect(text).not.toContain(token);
    }
    expect(result.stdout).toContain('PRs opened 2, updated 0; red 1');
  });

  it('the next scheduled run finds the PRs unchanged: nothing opened or updated', async () => {
    expect((await runEntry(repo.dir, runnerEnv(1))).code).toBe(0);
    const { writes, dashboardWrites } = github.counts();
    expect(dashboardWrites).toBe(1);
    const env = runnerEnv(2);
    const result = await runEntry(repo.dir, env);
    expect(result.code).toBe(0);
    expect(github.counts().writes).toBe(writes);
    // The dashboard says nothing new either (the run's time and link aside): not written.
    expect(github.counts().dashboardWrites).toBe(dashboardWrites);
    // The red file failed before with these same inputs (the dashboard remembers): not bought again.
    const outputs = readOutputs(env.GITHUB_OUTPUT ?? '');
    expect(outputs).toMatchObject({ opened: '0', updated: '0', red: '0' });
    expect(readFileSync(outputs.report ?? '', 'utf8')).toContain('"action": "skipped_known_failure"');
  });

  it('a dry run (apply: false) pushes and opens nothing', async () => {
    const env = runnerEnv(1, { apply: 'false', only: `${SHAPES}\n${RED}` });
    const result = await runEntry(repo.dir, env);
    expect(result.code).toBe(0);
    expect(github.pulls()).toEqual([]);
    expect(github.counts().writes).toBe(0);
    // One read: the dashboard, to say what its boxes would do; nothing written.
    expect(github.counts()).toMatchObject({ reads: 1, dashboardWrites: 0 });
    expect(readOutputs(env.GITHUB_OUTPUT ?? '')).toMatchObject({ opened: '0', updated: '0', red: '1' });
  });

  it('a bad input fails the step (exit 2) with one line and no outputs', async () => {
    const env = runnerEnv(1, { 'max-files': '0' });
    const result = await runEntry(repo.dir, env);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^scrum-apply: --max-files must be between 1 and 1000/)]);
    expect(readFileSync(env.GITHUB_OUTPUT ?? '', 'utf8')).toBe('');
    expect(existsSync(join(repo.dir, 'data/_kb/auto_apply.jsonl'))).toBe(false);
  });
});
