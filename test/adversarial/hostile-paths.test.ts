import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LlmStandIn } from '../../tools/demo/llm-stand-in.js';
import type { RunReport } from '../../src/pipeline/run-types.js';
import { baseEnv, readAudit, review, runCliCaptured, writeReviewLog, type CliOutcome } from '../helpers/cli-harness.js';
import { createFixtureRepo, git, type FixtureRepo } from '../helpers/fixture-repo.js';
import {
  botBranches,
  expectNoSecrets,
  fileOfPrompt,
  GREEN_ANSWERS,
  inertGit,
  pushedText,
  randomGitHubToken,
  SHAPES,
  sha256,
  startScriptedLlm,
  treeHashes,
} from './helpers/harness.js';

/**
 * Paths in the review log are untrusted. Each case below names a file outside the repository,
 * an alias of one inside it, or a name that reads differently from what it is. None may be
 * read, sent to the model or written; each is reported with its reason; the one plain path
 * in the same log is processed as usual.
 */
const TOKEN = randomGitHubToken();
const MARKER = `OUTSIDE_SECRET_${randomBytes(8).toString('hex')}`;

let repo: FixtureRepo;
let outside: string;
let llm: LlmStandIn;
let result: CliOutcome;
let report: RunReport;
let before: Record<string, string>;

interface PathCase {
  name: string;
  path: () => string;
  reason: RegExp;
}

const CASES: PathCase[] = [
  { name: 'traversal', path: () => '../outside/secret.rs', reason: /^path has a "\.\." segment$/ },
  { name: 'traversal in the middle', path: () => 'crates/../../outside/secret.rs', reason: /^path has a "\.\." segment$/ },
  { name: 'absolute path outside the repository', path: () => join(outside, 'secret.rs'), reason: /^path is absolute$/ },
  { name: 'absolute system file', path: () => '/etc/passwd', reason: /^path is absolute$/ },
  { name: 'tracked symlink to a file outside (absolute target)', path: () => 'crates/geometry/src/abs_link.rs', reason: /^is a symlink$/ },
  { name: 'tracked symlink to a file outside (relative target)', path: () => 'crates/geometry/src/rel_link.rs', reason: /^is a symlink$/ },
  { name: 'a file under a tracked symlinked directory', path: () => 'crates/linkdir/secret.rs', reason: /^not tracked at [0-9a-f]{7}$/ },
  { name: '.git/config', path: () => '.git/config', reason: /^path has a "\.git" component \("\.git"\)$/ },
  { name: '.GIT/config (case)', path: () => '.GIT/config', reason: /^path has a "\.git" component \("\.GIT"\)$/ },
  { name: '.git. (trailing dot, as Windows reads it)', path: () => 'crates/.git./config', reason: /^path has a "\.git" component/ },
  { name: 'git~1 (8.3 short name)', path: () => 'GIT~1/config', reason: /^path has a "\.git" component/ },
  { name: 'Cyrillic look-alike of src', path: () => 'crates/geometry/\u0441rc/shapes.rs', reason: /^not tracked at [0-9a-f]{7}$/ },
  { name: 'NFD alias of a tracked NFC name', path: () => 'crates/geometry/src/cafe\u0301.rs', reason: /^path is not in Unicode NFC form$/ },
  { name: 'BEL control character', path: () => 'crates/geometry/src/sh\u0007apes.rs', reason: /^path has a control character \(U\+0007\)$/ },
  { name: 'terminal escape sequence', path: () => 'crates/geometry/src/\u001b[2J\u001b]0;pwned\u0007shapes.rs', reason: /^path has a control character \(U\+001B\)$/ },
  { name: 'newline', path: () => 'crates/geometry/src/shapes.rs\nREADME.md', reason: /^path has a control character \(U\+000A\)$/ },
  { name: 'bidi override', path: () => 'crates/geometry/src/\u202Esr.sepahs', reason: /^path has an invisible or bidirectional character \(U\+202E\)$/ },
  { name: 'zero-width space', path: () => 'crates/geometry/src/sha\u200Bpes.rs', reason: /^path has an invisible or bidirectional character \(U\+200B\)$/ },
  { name: 'a 4 KB name', path: () => `crates/geometry/src/${'a'.repeat(4096)}.rs`, reason: /^path is longer than 1024 bytes$/ },
  { name: 'backslashes', path: () => 'crates\\geometry\\src\\shapes.rs', reason: /^path has a backslash$/ },
  { name: './ prefix', path: () => './crates/geometry/src/shapes.rs', reason: /^path starts with "\.\/"$/ },
  { name: 'empty segment', path: () => 'crates//geometry/src/shapes.rs', reason: /^path has an empty segment/ },
  { name: 'a submodule', path: () => 'crates/sub', reason: /^is a submodule$/ },
  { name: 'a file inside a submodule', path: () => 'crates/sub/src/lib.rs', reason: /^not tracked at [0-9a-f]{7}$/ },
  { name: 'an untracked file in the work tree', path: () => 'crates/geometry/src/untracked.rs', reason: /^not tracked at [0-9a-f]{7}$/ },
  { name: 'a denied manifest, tracked', path: () => 'crates/geometry/Cargo.toml', reason: /^denied by "\*\*\/Cargo\.toml"$/ },
  { name: 'a denied manifest, other case', path: () => 'CARGO.TOML', reason: /^denied by "Cargo\.toml"$/ },
  { name: 'CI config', path: () => '.github/workflows/ci.yml', reason: /^denied by "\.github\/"$/ },
];

beforeAll(async () => {
  process.env.GITHUB_TOKEN = TOKEN;
  repo = createFixtureRepo({ prefix: 'scrum-adv-paths-', extraFiles: { 'crates/geometry/src/caf\u00e9.rs': 'pub fn cafe() {}\n' } });
  outside = join(repo.root, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.rs'), `pub const SECRET: &str = "${MARKER}";\n`);
  symlinkSync(join(outside, 'secret.rs'), join(repo.dir, 'crates/geometry/src/abs_link.rs'));
  symlinkSync('../../../../outside/secret.rs', join(repo.dir, 'crates/geometry/src/rel_link.rs'));
  symlinkSync(outside, join(repo.dir, 'crates/linkdir'));
  git(repo.dir, 'add', '-A');
  // A submodule entry (gitlink) pointing at the base commit itself.
  const head = git(repo.dir, 'rev-parse', 'HEAD').trim();
  git(repo.dir, 'update-index', '--add', '--cacheinfo', `160000,${head},crates/sub`);
  git(repo.dir, 'commit', '-q', '-m', 'links and a submodule');
  git(repo.dir, 'push', '-q', 'origin', 'HEAD');
  repo.write('crates/geometry/src/untracked.rs', `pub const SECRET: &str = "${MARKER}";\n`);
  inertGit(repo.dir, 'config', 'scrum.secret', MARKER);

  writeReviewLog(repo.dir, [...CASES.map((c) => review(c.path())), review(SHAPES)]);
  before = { ...treeHashes(outside), config: sha256(join(repo.dir, '.git/config')), untracked: sha256(join(repo.dir, 'crates/geometry/src/untracked.rs')) };
  llm = await startScriptedLlm(GREEN_ANSWERS);
  const env = baseEnv({ SCRUM_APPLY_LLM_URL: llm.url, SCRUM_APPLY_DATA_DIR: join(repo.root, 'data'), GITHUB_TOKEN: TOKEN });
  result = await runCliCaptured(
    ['run', '--apply', '--forge', 'none', '--json', '--max-files', '100', '--audit-log', join(repo.root, 'audit.jsonl')],
    repo.dir,
    env,
  );
  report = JSON.parse(result.stdout) as RunReport;
}, 120_000);

afterAll(async () => {
  delete process.env.GITHUB_TOKEN;
  await llm?.close();
  repo?.cleanup();
});

describe('hostile paths in the review log', () => {
  it('the run finishes; the one plain path is processed and pushed', () => {
    expect(result.code).toBe(0);
    expect(report.results.map((r) => [r.file, r.action])).toEqual([[SHAPES, 'committed']]);
    expect(readAudit(join(repo.root, 'audit.jsonl')).map((r) => r.file)).toEqual([SHAPES]);
    expect(botBranches(repo.origin)).toEqual([`scrum-apply/${SHAPES}`]);
  });

  it.each(CASES)('$name: skipped with its reason, never read, sent or written', ({ path, reason }) => {
    const skipped = report.skipped.filter((s) => s.file === path());
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.reason).toMatch(reason);
    expect(llm.requests.map((r) => fileOfPrompt(r.prompt))).not.toContain(path());
  });

  it('the model saw only the plain file, and nothing from outside the repository', () => {
    expect(llm.requests.map((r) => fileOfPrompt(r.prompt))).toEqual([SHAPES]);
    for (const request of llm.requests) expect(JSON.stringify(request.body)).not.toContain(MARKER);
  });

  it('nothing outside the repository, in .git or in the work tree changed', () => {
    const after = { ...treeHashes(outside), config: sha256(join(repo.dir, '.git/config')), untracked: sha256(join(repo.dir, 'crates/geometry/src/untracked.rs')) };
    expect(after).toEqual(before);
    expect(readFileSync(join(outside, 'secret.rs'), 'utf8')).toContain(MARKER);
  });

  it('names that would drive a terminal are not printed raw, and nothing secret is printed at all', () => {
    for (const text of [result.stdout, result.stderr]) {
      expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069\u200b]/);
      expect(text).not.toContain(MARKER);
    }
    expectNoSecrets({ stdout: result.stdout, stderr: result.stderr, audit: readFileSync(join(repo.root, 'audit.jsonl'), 'utf8'), pushed: pushedText(repo.origin) }, [TOKEN]);
  });
});
