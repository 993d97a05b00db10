import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LlmStandIn } from '../../tools/demo/llm-stand-in.js';
import { baseEnv, readAudit, review, runCliCaptured, writeReviewLog, type CliOutcome } from '../helpers/cli-harness.js';
import { createFixtureRepo, git, snapshotRemote, type FixtureRepo } from '../helpers/fixture-repo.js';
import {
  botBranches,
  expectedGreenShapes,
  expectNoSecrets,
  FORMAT,
  GREEN_ANSWERS,
  inertGit,
  pushedText,
  randomGitHubToken,
  SHAPES,
  startScriptedLlm,
} from './helpers/harness.js';

/**
 * `check.sandbox: none`: the check runs as the bot, so it can write anywhere the bot can. What
 * must still hold: the commit is the content the bot validated (not what the check left on
 * disk), the hooks it plants never run under the bot, a scratch repository it re-points is
 * refused before any push, and its environment is the allow-list.
 */
const TOKEN = randomGitHubToken();

function hostileCheck(evidence: string, userRepo: string, marker: string, evil: string, origin: string): string {
  return `#!/bin/sh
# What an unsandboxed build script could do, as a check command.
n=$$
env > "${evidence}/env.$n"
printf '\\npub fn injected_by_check() {}\\n' >> crates/geometry/src/shapes.rs
printf '\\n# injected by the check\\n' >> Cargo.lock
cp crates/geometry/src/shapes.rs "${evidence}/shapes.$n.rs"
cp Cargo.lock "${evidence}/Cargo.$n.lock"
hook='#!/bin/sh
touch ${marker}'
for h in post-checkout pre-push reference-transaction pre-commit post-commit; do
  printf '%s\\n' "$hook" > "${userRepo}/.git/hooks/$h" && chmod +x "${userRepo}/.git/hooks/$h"
done
admin=$(sed -n 's/^gitdir: //p' .git)
common=$(cd "$admin/../.." && pwd)
mkdir -p "$common/hooks"
for h in pre-push reference-transaction post-checkout push-to-checkout; do
  printf '%s\\n' "$hook" > "$common/hooks/$h" && chmod +x "$common/hooks/$h"
done
ls "$common/hooks" > "${evidence}/scratch-hooks.$n"
if [ -e "${evidence}/poison" ]; then
  printf '[url "${evil}"]\\n\\tinsteadOf = ${origin}\\n[core]\\n\\thooksPath = %s/hooks\\n' "$common" >> "$common/config"
  echo poisoned > "${evidence}/poisoned.$n"
fi
exit 0
`;
}

let repo: FixtureRepo;
let llm: LlmStandIn;
let evidence: string;
let marker: string;
let evil: string;
let auditPath: string;

beforeAll(() => {
  process.env.GITHUB_TOKEN = TOKEN;
});
afterAll(() => {
  delete process.env.GITHUB_TOKEN;
});

beforeEach(async () => {
  repo = createFixtureRepo({ prefix: 'scrum-adv-nosandbox-' });
  evidence = join(repo.root, 'evidence');
  mkdirSync(evidence);
  marker = join(repo.root, 'hook-fired');
  evil = join(repo.root, 'evil.git');
  git(repo.root, 'init', '-q', '--bare', evil);
  repo.write('tools/hostile-check.sh', hostileCheck(evidence, repo.dir, marker, evil, repo.origin));
  repo.commitAll('a check script');
  writeReviewLog(repo.dir, [review(SHAPES), review(FORMAT)]);
  repo.write('.github/scrum-apply.yml', 'check:\n  sandbox: none\n  command: sh tools/hostile-check.sh\n');
  llm = await startScriptedLlm(GREEN_ANSWERS);
  auditPath = join(repo.root, 'audit.jsonl');
});

afterEach(async () => {
  await llm.close();
  repo.cleanup();
});

function run(): Promise<CliOutcome> {
  const env = baseEnv({ SCRUM_APPLY_LLM_URL: llm.url, SCRUM_APPLY_DATA_DIR: join(repo.root, 'data'), GITHUB_TOKEN: TOKEN });
  return runCliCaptured(['run', '--apply', '--forge', 'none', '--audit-log', auditPath], repo.dir, env);
}

function evidenceFiles(prefix: string): string[] {
  return readdirSync(evidence)
    .filter((name) => name.startsWith(prefix))
    .map((name) => readFileSync(join(evidence, name), 'utf8'));
}

describe('a hostile check without a sandbox', () => {
  it('rewrites the patched file and Cargo.lock on disk, but the pushed commit holds the validated content', async () => {
    const result = await run();
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/check\.sandbox is "none"/);
    const rows = readAudit(auditPath);
    expect(Object.fromEntries(rows.map((r) => [r.file, r.action]))).toEqual({ [SHAPES]: 'committed', [FORMAT]: 'committed' });

    // The rewrite happened: the check of the patched shapes.rs saw its own injection on disk.
    const rewritten = evidenceFiles('shapes.').filter((text) => text.includes('consts::PI'));
    expect(rewritten.length).toBeGreaterThan(0);
    expect(rewritten.every((text) => text.includes('pub fn injected_by_check() {}'))).toBe(true);
    expect(evidenceFiles('Cargo.').every((text) => text.includes('# injected by the check'))).toBe(true);

    // What was pushed is what the bot validated, and nothing else changed.
    const branch = `scrum-apply/${SHAPES}`;
    expect(inertGit(repo.origin, 'show', `${branch}:${SHAPES}`)).toBe(expectedGreenShapes());
    expect(inertGit(repo.origin, 'diff', '--name-only', 'main', branch).trim()).toBe(SHAPES);
    expect(inertGit(repo.origin, 'show', `${branch}:Cargo.lock`)).toBe(inertGit(repo.origin, 'show', 'main:Cargo.lock'));
    for (const bot of botBranches(repo.origin)) expect(inertGit(repo.origin, 'diff', 'main', bot)).not.toContain('injected');

    // The check's environment is the allow-list, without a sandbox too.
    const envs = evidenceFiles('env.');
    expect(envs.length).toBeGreaterThan(0);
    for (const text of envs) expect(text).not.toMatch(/GITHUB_TOKEN|SCRUM_APPLY_LLM/);
    expectNoSecrets({ stdout: result.stdout, stderr: result.stderr, audit: readFileSync(auditPath, 'utf8'), pushed: pushedText(repo.origin) }, [TOKEN]);
  });

  it('hooks it plants in the user repository and the scratch repository never run under the bot', async () => {
    const result = await run();
    expect(result.code).toBe(0);
    expect(readAudit(auditPath).map((r) => r.action)).toEqual(['committed', 'committed']);
    // They were planted (the bot then fetched, added worktrees and pushed past them)...
    expect(evidenceFiles('scratch-hooks.').some((text) => text.includes('pre-push') && text.includes('reference-transaction'))).toBe(true);
    expect(existsSync(join(repo.dir, '.git/hooks/post-checkout'))).toBe(true);
    // ...and none fired.
    expect(existsSync(marker)).toBe(false);
    // Control: they are live — the maintainer's own next commit runs them.
    git(repo.dir, 'commit', '-q', '--allow-empty', '-m', 'a later commit by the maintainer');
    expect(existsSync(marker)).toBe(true);
  });

  it('a scratch repository re-pointed by the check (url.insteadOf, core.hooksPath) is refused before any push', async () => {
    writeFileSync(join(evidence, 'poison'), '');
    const remoteBefore = snapshotRemote(repo.origin);
    const result = await run();
    expect(result.code).toBe(0);
    expect(evidenceFiles('poisoned.').length).toBeGreaterThan(0);
    const rows = readAudit(auditPath);
    expect(rows.map((r) => r.file).sort()).toEqual([SHAPES, FORMAT].sort());
    for (const row of rows) {
      expect(row.action).toBe('error');
      expect(row.error).toMatch(/scratch repository .* was modified/);
    }
    expect(snapshotRemote(repo.origin)).toBe(remoteBefore);
    expect(botBranches(evil)).toEqual([]);
    expect(existsSync(marker)).toBe(false);
  });
});
