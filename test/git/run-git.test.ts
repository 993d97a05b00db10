import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitErrorText } from '../../src/git/git-errors.js';
import { exitedWith, GitError, runGit } from '../../src/git/run-git.js';
import { createRedactor } from '../../src/log/redact.js';
import { git } from '../helpers/fixture-repo.js';
import { createGitSpy, type GitSpy } from '../helpers/git-spy.js';

const TOKEN = 'ghs_RunGitTestTokenThatMustNeverLeak012345';
const AUTH = { username: 'x-access-token', token: TOKEN };

let root: string;
let spy: GitSpy | null = null;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'scrum-apply-run-git-'));
  git(root, 'init', '-q', '-b', 'main');
});
afterEach(() => {
  spy?.restore();
  spy = null;
  rmSync(root, { recursive: true, force: true });
});

/** What runGit rejected with (fails the test when it resolved). */
async function failure(promise: Promise<string>): Promise<GitError> {
  const error: unknown = await promise.then(
    (out) => new Error(`git succeeded: ${out}`),
    (rejected: unknown) => rejected,
  );
  if (!(error instanceof GitError)) throw error;
  return error;
}

describe('runGit', () => {
  it('resolves with stdout, and feeds `input` to stdin', async () => {
    expect(await runGit(['rev-parse', '--is-inside-work-tree'], { cwd: root })).toBe('true\n');
    const oid = await runGit(['hash-object', '--stdin'], { cwd: root, input: 'hello\n' });
    expect(oid).toBe('ce013625030ba8dba906f756967f9e9ca394464a\n');
  });

  it("rejects with a GitError carrying the command, the exit code and git's stderr", async () => {
    const error = await failure(runGit(['rev-parse', '--verify', 'no-such-ref'], { cwd: root }));
    expect(error.command).toBe('rev-parse');
    expect(error.exitCode).toBe(128);
    expect(error.stderr).toMatch(/fatal: Needed a single revision/);
    expect(error.message).toBe('git rev-parse failed (exit 128): fatal: Needed a single revision');
    expect(gitErrorText(error, createRedactor([]))).toBe('Needed a single revision');
  });

  it('judges the exit code: a silent non-zero exit is a failure, not an empty answer', async () => {
    const error = await failure(runGit(['rev-parse', '-q', '--verify', 'refs/heads/none'], { cwd: root }));
    expect(error.stderr).toBe('');
    expect(exitedWith(error, 1)).toBe(true);
    expect(exitedWith(error, 128)).toBe(false);
    expect(gitErrorText(error, createRedactor([]))).toBe('git rev-parse failed (exit 1)');
  });

  it('adds the credentials only to the environment (an http.extraHeader), never to argv', async () => {
    spy = createGitSpy(join(root, 'spy'));
    spy.install();
    const header = await runGit(['config', '--get', 'http.extraHeader'], { cwd: root, auth: AUTH });
    // Without auth the same question has no answer: git exits 1.
    const without = await failure(runGit(['config', '--get', 'http.extraHeader'], { cwd: root }));
    spy.restore();

    expect(header.trim()).toBe(`Authorization: Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`);
    expect(without.exitCode).toBe(1);
    const argv = spy.argv();
    expect(argv).toHaveLength(2);
    for (const args of argv) {
      expect(args).toEqual(expect.arrayContaining(['core.hooksPath=/dev/null', 'protocol.ext.allow=never']));
      expect(JSON.stringify(args)).not.toContain(TOKEN);
      expect(JSON.stringify(args)).not.toContain(Buffer.from(`x-access-token:${TOKEN}`).toString('base64'));
    }
  });

  it('passes none of the bot environment on: only the allow-list and what the caller adds', async () => {
    process.env.SCRUM_APPLY_RUN_GIT_SECRET = TOKEN;
    try {
      const env = await runGit(['-c', 'alias.env=!env', 'env'], { cwd: root, env: { GIT_AUTHOR_NAME: 'bot' } });
      expect(env).toContain('GIT_AUTHOR_NAME=bot');
      expect(env).toContain('GIT_TERMINAL_PROMPT=0');
      expect(env).not.toContain(TOKEN);
    } finally {
      delete process.env.SCRUM_APPLY_RUN_GIT_SECRET;
    }
  });

  it('stops a git that prints nothing for idleTimeoutMs, and one that runs past timeoutMs', async () => {
    const silent = await failure(runGit(['-c', 'alias.hang=!exec sleep 60', 'hang'], { cwd: root, idleTimeoutMs: 100 }));
    expect(silent.message).toBe('git hang was stopped: it printed nothing for 100 ms');
    expect(silent.exitCode).toBeNull();
    const chatty = await failure(
      runGit(['-c', 'alias.chat=!while :; do echo .; sleep 0.01; done', 'chat'], { cwd: root, idleTimeoutMs: 60_000, timeoutMs: 200 }),
    );
    expect(chatty.message).toBe('git chat was stopped: it ran longer than 200 ms');
  });

  it('stops a git whose output outgrows maxBuffer', async () => {
    const error = await failure(runGit(['version'], { cwd: root, maxBuffer: 4 }));
    expect(error.message).toBe('git version was stopped: it printed more than 4 bytes');
  });

  it('reports a git that cannot start as a GitError too', async () => {
    const error = await failure(runGit(['status'], { cwd: join(root, 'missing') }));
    expect(error.exitCode).toBeNull();
    expect(error.message).toMatch(/^git status could not run: .*ENOENT/);
  });
});
