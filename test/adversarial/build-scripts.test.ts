import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalGitHub, type LocalGitHub, type LocalPull } from '../../tools/bench/local-github.js';
import type { LlmStandIn } from '../../tools/demo/llm-stand-in.js';
import type { AuditRow } from '../../src/report/audit-row.js';
import { readAudit, review, writeReviewLog } from '../helpers/cli-harness.js';
import { createFixtureRepo, type FixtureRepo } from '../helpers/fixture-repo.js';
import { processesMatching, realToolchainHomes, waitFor } from '../check/check-crates.js';
import { compiledCli, runCliProcess, type ProcessOutcome } from './helpers/cli-process.js';
import {
  allText,
  expectedGreenShapes,
  expectNoSecrets,
  FORMAT,
  GREEN_ANSWERS,
  inertGit,
  patchAnswer,
  pushedText,
  randomGitHubToken,
  SHAPES,
  sha256,
  startScriptedLlm,
  treeHashes,
  UNITS,
  withWorkspaceCrate,
} from './helpers/harness.js';
import { BUILD_SCRIPT_ATTACKS, HOSTILE_CARGO_TOML, HOSTILE_LIB_RS, hostileBuildScript } from './helpers/hostile-crate.js';

/**
 * The bot runs as its own process, as in CI: the token is in its real environment (so in
 * `/proc/<pid>/environ`), its HOME holds git credentials, and the repository has a workspace
 * crate whose build script attacks everything it can reach during `cargo check`, in the bwrap
 * sandbox. One run covers every attack; each file's outcome and PR body say how it went.
 */
const TOKEN = randomGitHubToken();
const LLM_KEY = `sk-${randomBytes(24).toString('hex')}`;
const LINGER = `scrum-adv-linger-${randomBytes(6).toString('hex')}`;

let repo: FixtureRepo;
let llm: LlmStandIn;
let github: LocalGitHub;
let sink: Server;
const received: Buffer[] = [];
let connections = 0;
let result: ProcessOutcome;
let rows: AuditRow[];
let pulls: LocalPull[];
let escape: string;
let botHome: string;
let userGitBefore: Record<string, string>;
let outputs: Record<string, string>;
let lingerSeen = false;

beforeAll(async () => {
  const main = await compiledCli();
  sink = createServer((socket) => {
    connections += 1;
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const address = sink.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  repo = createFixtureRepo({
    prefix: 'scrum-adv-build-',
    extraFiles: withWorkspaceCrate('hostile', { 'Cargo.toml': HOSTILE_CARGO_TOML, 'build.rs': 'fn main() {}\n', 'src/lib.rs': HOSTILE_LIB_RS }),
  });
  // A directory of the host the sandbox does not show (its parent does exist in there, as the
  // parent of the bound worktree, but only in the sandbox's own /tmp).
  mkdirSync(join(repo.root, 'outside'));
  escape = join(repo.root, 'outside', 'escaped-from-the-sandbox');
  botHome = join(repo.root, 'bot-home');
  mkdirSync(botHome, { recursive: true });
  writeFileSync(join(botHome, '.git-credentials'), `https://x-access-token:${TOKEN}@github.com\n`);
  writeFileSync(join(botHome, '.gitconfig'), '[credential]\n\thelper = store\n');
  repo.write('crates/hostile/build.rs', hostileBuildScript({ userRepo: repo.dir, botHome, port, escape, lingerMarker: LINGER }));
  repo.commitAll('a crate with a build script');
  // A credential in the user's own git config, as a careless `git config` would leave it.
  inertGit(repo.dir, 'config', 'http.https://github.com/.extraheader', `AUTHORIZATION: bearer ${TOKEN}`);
  userGitBefore = treeHashes(join(repo.dir, '.git', 'hooks'));
  userGitBefore.config = sha256(join(repo.dir, '.git', 'config'));

  writeReviewLog(repo.dir, [review(SHAPES), review(FORMAT), review(UNITS)]);
  // Explicitly bwrap: without it the run must fail rather than quietly run unsandboxed.
  repo.write('.github/scrum-apply.yml', 'check:\n  sandbox: bwrap\n  timeoutSeconds: 25\n');
  llm = await startScriptedLlm({
    ...GREEN_ANSWERS,
    [UNITS]: patchAnswer([
      {
        old_string: 'pub fn is_positive(value: f64) -> bool {',
        new_string: '// scrum-adversarial: linger\npub fn is_positive(value: f64) -> bool {',
        rationale: 'document is_positive',
      },
    ]),
  });
  github = await startLocalGitHub({ owner: 'adversarial', repo: 'workspace' });

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    HOME: botHome,
    ...realToolchainHomes(),
    GITHUB_TOKEN: TOKEN,
    GITHUB_REPOSITORY: github.repository,
    GITHUB_API_URL: github.url,
    SCRUM_APPLY_GITHUB_WRITE_SPACING: 'off',
    SCRUM_APPLY_LLM_URL: llm.url,
    SCRUM_APPLY_LLM_KEY: LLM_KEY,
    SCRUM_APPLY_DATA_DIR: join(repo.root, 'data'),
  };
  const auditPath = join(repo.root, 'audit.jsonl');
  // Watch for the processes the build script leaves behind while the run is on.
  const watcher = setInterval(() => {
    if (processesMatching(LINGER).length > 0) lingerSeen = true;
  }, 250);
  result = await runCliProcess(main, ['run', '--apply', '--forge', 'github', '--json', '--audit-log', auditPath], repo.dir, env);
  clearInterval(watcher);
  rows = readAudit(auditPath);
  pulls = github.pulls();
  outputs = {
    stdout: result.stdout,
    stderr: result.stderr,
    'audit log': readFileSync(auditPath, 'utf8'),
    'PR bodies and titles': pulls.map((p) => `${p.title}\n${p.body}\n${p.labels.join(',')}`).join('\n'),
    'pushed commits': pushedText(repo.origin),
    'LLM prompts': llm.requests.map((r) => JSON.stringify(r.body)).join('\n'),
    'data dir': allText(join(repo.root, 'data')),
    'TCP sink': Buffer.concat(received).toString('latin1'),
  };
}, 240_000);

afterAll(async () => {
  await llm?.close();
  await github?.close();
  await new Promise((resolve) => sink?.close(resolve));
  repo?.cleanup();
});

function rowOf(file: string): AuditRow | undefined {
  return rows.find((row) => row.file === file);
}

function bodyOf(file: string): string {
  return pulls.find((pull) => pull.head === `scrum-apply/${file}`)?.body ?? '';
}

describe('a hostile build script in a workspace crate, through a full --apply run in the sandbox', () => {
  it('the run finishes and every file is processed: the two benign files green with a PR, the lingering one timed out', () => {
    expect(result.stderr).not.toMatch(/run failed/);
    expect(result.code).toBe(0);
    expect(Object.fromEntries(rows.map((row) => [row.file, row.action]))).toEqual({
      [SHAPES]: 'pr_opened',
      [FORMAT]: 'pr_opened',
      [UNITS]: 'build_red_reverted',
    });
    // Green means the build script ran to the end (the crate needs its cfg) with no attack succeeding.
    expect(rowOf(FORMAT)?.check).toMatchObject({ green: true, exit_code: 0 });
    expect(result.stderr).not.toContain('fails on the unpatched base');
  });

  it('the check output reports every attack as blocked, none as succeeded', () => {
    const body = bodyOf(FORMAT);
    for (const attack of BUILD_SCRIPT_ATTACKS) expect(body).toMatch(new RegExp(`ATTACK ${attack} blocked: `));
    expect(body).not.toContain('SUCCEEDED');
    expect(body).not.toContain('LOOT');
  });

  it('the token is not in its environment, nor in its parent\'s, pid 1\'s or any process\'s environ', () => {
    const body = bodyOf(FORMAT);
    expect(body).toMatch(/ATTACK env-token blocked: \d+ variables, none secret/);
    expect(body).toMatch(/ATTACK parent-environ blocked: ancestors \[\d+(, \d+)*\] hold no secret/);
    expect(body).toMatch(/ATTACK pid1-environ blocked: /);
    expect(body).toMatch(/ATTACK all-environ blocked: [1-9]\d* environments read, none secret/);
  });

  it('the user repository\'s .git/config and the bot\'s HOME files cannot be read', () => {
    const body = bodyOf(FORMAT);
    expect(body).toMatch(/ATTACK user-git-config blocked: No such file or directory/);
    expect(body).toMatch(/ATTACK home-files blocked: .*\.git-credentials: No such file or directory/);
  });

  it('no connection reaches a server on 127.0.0.1', () => {
    expect(bodyOf(FORMAT)).toMatch(/ATTACK socket blocked: .*(refused|unreachable)/i);
    expect(connections).toBe(0);
  });

  it('no git hook is written into the user repository and none fires; the scratch repository is out of reach', () => {
    const after = treeHashes(join(repo.dir, '.git', 'hooks'));
    after.config = sha256(join(repo.dir, '.git', 'config'));
    expect(after).toEqual(userGitBefore);
    expect(existsSync(`${escape}.hook-fired`)).toBe(false);
    expect(bodyOf(FORMAT)).toMatch(/ATTACK scratch-repo blocked: /);
  });

  it('the patched file and Cargo.lock cannot be rewritten: the pushed commit is the validated content', () => {
    expect(bodyOf(FORMAT)).toMatch(/ATTACK rewrite-patched-file blocked: .*Read-only file system/);
    expect(bodyOf(FORMAT)).toMatch(/ATTACK rewrite-cargo-lock blocked: .*Read-only file system/);
    const branch = `scrum-apply/${SHAPES}`;
    expect(inertGit(repo.origin, 'show', `${branch}:${SHAPES}`)).toBe(expectedGreenShapes());
    expect(inertGit(repo.origin, 'diff', '--name-only', 'main', branch).trim()).toBe(SHAPES);
    expect(inertGit(repo.origin, 'show', `${branch}:Cargo.lock`)).toBe(inertGit(repo.origin, 'show', 'main:Cargo.lock'));
    expect(existsSync(escape)).toBe(false);
  });

  it('a setsid child left behind does not outlive the time limit', async () => {
    expect(rowOf(UNITS)?.check).toMatchObject({ green: false, timed_out: true });
    expect(rowOf(UNITS)?.reason).toMatch(/^check timed out after \d+ ms$/);
    // They did exist while the check ran...
    expect(lingerSeen).toBe(true);
    // ...and died with the check's PID namespace (a moment for the kernel to reap).
    expect(await waitFor(() => processesMatching(LINGER).length === 0, 5_000)).toBe(true);
  });

  it('megabytes of output are cut to head and tail; the PR body stays within its limit', () => {
    const body = bodyOf(SHAPES);
    expect(body.length).toBeLessThanOrEqual(60_000);
    expect(body).toContain('LOUD-TAIL-MARKER');
    expect(body).toMatch(/Output \(last [\d,]+ of [\d,]+ characters\)/);
    expect(body).not.toContain('LOUD 0 x');
  });

  it('nothing secret appears in stdout, stderr, the audit log, PRs, pushed commits or anything sent out', () => {
    expectNoSecrets(outputs, [TOKEN, LLM_KEY]);
    // The secrets were live: the bot had them, and the check saw none of them.
    expect(readFileSync(join(botHome, '.git-credentials'), 'utf8')).toContain(TOKEN);
    expect(llm.requests.every((r) => r.headers.authorization === `Bearer ${LLM_KEY}`)).toBe(true);
  });
});
