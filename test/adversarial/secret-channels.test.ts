import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalGitHub, type LocalGitHub } from '../../tools/bench/local-github.js';
import type { LlmStandIn } from '../../tools/demo/llm-stand-in.js';
import { baseEnv, readAudit, review, runCliCaptured, writeReviewLog } from '../helpers/cli-harness.js';
import { createFixtureRepo, git, type FixtureRepo } from '../helpers/fixture-repo.js';
import {
  botBranches,
  expectNoSecrets,
  FORMAT,
  patchAnswer,
  pushedText,
  randomGitHubToken,
  SHAPES,
  startScriptedLlm,
  UNITS,
} from './helpers/harness.js';

/**
 * Secrets pushed at the bot through every door that leads to an output: the review log (text,
 * reviewer model, a path), the model's answers (rationales, a patch that writes a token, an
 * error body that echoes the key) and a remote URL holding credentials. Whatever comes out —
 * stdout, stderr, audit log, PR title/body/labels, commits, the prompt itself — holds none.
 */
const TOKEN = randomGitHubToken();
const GITEA = randomBytes(20).toString('hex');
const LLM_KEY = `sk-${randomBytes(24).toString('hex')}`;
const WEBHOOK = `hook/${randomBytes(9).toString('base64')}+%&`;
const SECRETS = [TOKEN, GITEA, LLM_KEY, WEBHOOK];
const ALL_FORMS = SECRETS.map((s) => `${s} ${Buffer.from(s).toString('base64')} ${encodeURIComponent(s)}`).join(' ; ');

let repo: FixtureRepo;
let llm: LlmStandIn;
let github: LocalGitHub | null = null;

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return baseEnv({
    SCRUM_APPLY_LLM_URL: llm.url,
    SCRUM_APPLY_LLM_KEY: LLM_KEY,
    SCRUM_APPLY_DATA_DIR: join(repo.root, 'data'),
    GITHUB_TOKEN: TOKEN,
    GITEA_TOKEN: GITEA,
    GITEA_WEBHOOK_SECRET: WEBHOOK,
    ...extra,
  });
}

beforeAll(() => {
  process.env.GITHUB_TOKEN = TOKEN;
});
afterAll(() => {
  delete process.env.GITHUB_TOKEN;
});

afterEach(async () => {
  await llm?.close();
  await github?.close();
  github = null;
  repo?.cleanup();
});

describe('secrets offered through every input', () => {
  it('come out nowhere: not in stdout, stderr, the audit log, the PR, the commits or the prompt', async () => {
    repo = createFixtureRepo({ prefix: 'scrum-adv-secrets-' });
    writeReviewLog(repo.dir, [
      review(SHAPES, { suggestions_preview: `use PI. Debug dump: ${ALL_FORMS}`, accepted_model: `reviewer-${GITEA}` }),
      review(FORMAT, { gradient_tier: `auto-${TOKEN}` }),
      review(UNITS),
      review(TOKEN),
    ]);
    llm = await startScriptedLlm({
      [SHAPES]: patchAnswer([
        { old_string: '//! Shapes and their areas.\n', new_string: '//! Shapes and their areas.\n\nuse std::f64::consts::PI;\n', rationale: `import PI (token ${TOKEN})` },
        { old_string: '        3.14159 * self.radius * self.radius', new_string: '        PI * self.radius * self.radius', rationale: `use PI, see ${GITEA}` },
      ]),
      [FORMAT]: patchAnswer([
        { old_string: 'pub fn describe(rect: &Rect) -> String {', new_string: `// deploy key ${GITEA}\npub fn describe(rect: &Rect) -> String {`, rationale: 'document' },
        { old_string: 'pub fn describe(rect: &Rect) -> String {', new_string: '#[must_use]\npub fn describe(rect: &Rect) -> String {', rationale: 'must_use' },
      ]),
      [UNITS]: { status: 400, body: JSON.stringify({ error: `invalid api key ${LLM_KEY} for ${TOKEN}` }) },
    });
    github = await startLocalGitHub({ owner: 'adversarial', repo: 'secrets' });
    const auditPath = join(repo.root, 'audit.jsonl');
    const result = await runCliCaptured(
      ['run', '--apply', '--forge', 'github', '--json', '--audit-log', auditPath],
      repo.dir,
      env({ GITHUB_REPOSITORY: github.repository, GITHUB_API_URL: github.url, SCRUM_APPLY_GITHUB_WRITE_SPACING: 'off' }),
    );
    expect(result.code).toBe(0);
    const rows = readAudit(auditPath);
    expect(Object.fromEntries(rows.map((r) => [r.file, r.action]))).toEqual({ [SHAPES]: 'pr_opened', [FORMAT]: 'pr_opened', [UNITS]: 'no_patches' });
    // The patch that would have published a known secret is refused; the other one goes.
    const format = rows.find((r) => r.file === FORMAT);
    expect(format?.patches_rejected.map((p) => p.reason)).toEqual(['new_string adds a credential']);
    expect(format?.patches_applied).toHaveLength(1);
    expect(rows.find((r) => r.file === UNITS)?.reason).toMatch(/^LLM request failed: HTTP 400: .*\[REDACTED\]/);
    expect(JSON.parse(result.stdout)).toMatchObject({ skipped: [{ file: '[REDACTED]', reason: expect.stringMatching(/^not tracked/) }] });

    const pulls = github.pulls();
    expect(pulls).toHaveLength(2);
    expectNoSecrets(
      {
        stdout: result.stdout,
        stderr: result.stderr,
        'audit log': readFileSync(auditPath, 'utf8'),
        'PR titles, bodies, labels': pulls.map((p) => `${p.title}\n${p.body}\n${p.labels.join('\n')}`).join('\n'),
        'pushed commits': pushedText(repo.origin),
        'branch names': botBranches(repo.origin).join('\n'),
        'LLM prompts': llm.requests.map((r) => JSON.stringify(r.body)).join('\n'),
      },
      SECRETS,
    );
    // The review really carried them to the bot (redacted where it shows).
    expect(pulls.find((p) => p.head === `scrum-apply/${SHAPES}`)?.body).toContain('Debug dump: [REDACTED]');
  });

  it('a remote URL with credentials: the failures that quote it come out redacted', async () => {
    repo = createFixtureRepo({ prefix: 'scrum-adv-secrets-url-' });
    writeReviewLog(repo.dir, [review(SHAPES)]);
    git(repo.dir, 'remote', 'set-url', 'origin', `http://x-access-token:${TOKEN}@127.0.0.1:9/${GITEA}.git`);
    llm = await startScriptedLlm({
      [SHAPES]: patchAnswer([{ old_string: '        3.14159 * self.radius * self.radius', new_string: '        std::f64::consts::PI * self.radius * self.radius' }]),
    });
    const auditPath = join(repo.root, 'audit.jsonl');
    const result = await runCliCaptured(['run', '--apply', '--forge', 'none', '--json', '--audit-log', auditPath], repo.dir, env());
    expect(result.code).toBe(0);
    const rows = readAudit(auditPath);
    expect(rows.map((r) => [r.file, r.action])).toEqual([[SHAPES, 'error']]);
    expect(rows[0]?.error).toMatch(/^push to scrum-apply\/crates\/geometry\/src\/shapes\.rs was rejected: .*127\.0\.0\.1/);
    expect(result.stderr).toMatch(/cannot reach the remote; using local refs/);
    expectNoSecrets({ stdout: result.stdout, stderr: result.stderr, 'audit log': readFileSync(auditPath, 'utf8') }, SECRETS);
  });
});
