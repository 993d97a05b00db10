import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRepo } from '../../src/git/open-repo.js';
import { createFixtureRepo, git, type FixtureRepo } from '../helpers/fixture-repo.js';
import { startGitHttpServer, type GitHttpServer } from './git-http-server.js';
import { captureLogger, pushOne, scratchIn, snapshotUserRepo } from './repo-fixture.js';

const TOKEN = 'ghs_TestTokenThatMustNeverLeak0123456789';
const AUTH = { username: 'x-access-token', token: TOKEN };
const SHAPES = 'crates/geometry/src/shapes.rs';

let repo: FixtureRepo;
let server: GitHttpServer;

beforeEach(async () => {
  repo = createFixtureRepo({ prefix: 'scrum-apply-ws-http-' });
  server = await startGitHttpServer(repo.origin, AUTH);
  git(repo.dir, 'remote', 'set-url', 'origin', server.url);
});
afterEach(async () => {
  await server.close();
  repo.cleanup();
});

/** Every file under `dir`, as text (for "the token is nowhere" checks). */
function allText(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(entry.parentPath, entry.name)).toString('latin1'))
    .join('\n');
}

describe('openRepo over authenticated HTTP', () => {
  it('fetches and pushes with the token sent only as a header, never stored', async () => {
    const before = snapshotUserRepo(repo.dir);
    const { logger, lines } = captureLogger();
    const scratchDir = scratchIn(repo.root);
    const ws = await openRepo({ repoDir: repo.dir, scratchDir, branchPrefix: 'scrum-apply/', auth: AUTH, logger });
    expect(ws.baseBranch).toBe('main');
    expect(ws.baseSha).toBe(git(repo.origin, 'rev-parse', 'main').trim());

    const file = await ws.readTrackedFile(SHAPES);
    if (file.type !== 'file') throw new Error(file.reason);
    const sha = await ws.commitFile({ path: SHAPES, content: Buffer.concat([file.content, Buffer.from('// x\n')]), mode: '100644', message: 'x' });
    await pushOne(ws, 'scrum-apply/shapes', sha, null);
    expect(git(repo.origin, 'rev-parse', 'scrum-apply/shapes').trim()).toBe(sha);

    // Every request carried the credentials in its header; none in its URL.
    expect(server.requests.length).toBeGreaterThan(2);
    expect(server.requests.some((r) => r.url.includes('git-receive-pack'))).toBe(true);
    for (const request of server.requests) {
      expect(request.headers.authorization).toMatch(/^Basic /);
      expect(request.url).not.toContain(TOKEN);
    }
    // Nothing on disk or in the logs holds the token.
    expect(allText(scratchDir)).not.toContain(TOKEN);
    expect(allText(scratchDir)).not.toContain(Buffer.from(`x-access-token:${TOKEN}`).toString('base64'));
    expect(JSON.stringify(lines())).not.toContain(TOKEN);
    await ws.dispose();
    expect(readFileSync(join(repo.dir, '.git', 'config'), 'utf8')).not.toContain(TOKEN);
    expect(snapshotUserRepo(repo.dir)).toEqual(before);
  });

  it('a wrong token stops the run with a clear, redacted error instead of falling back', async () => {
    const wrong = 'ghs_WrongTokenWrongTokenWrongToken0000';
    const error = await openRepo({
      repoDir: repo.dir,
      scratchDir: scratchIn(repo.root),
      branchPrefix: 'scrum-apply/',
      auth: { username: 'x-access-token', token: wrong },
    }).then(
      () => null,
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    expect(error).toMatch(/^cannot read http:\/\/127\.0\.0\.1:\d+\/origin\.git: .*check the token/);
    expect(error).not.toContain(wrong);
    expect(error).not.toContain('\n');
  });

  it('no token at all is an authentication failure too (no prompt, no hang)', async () => {
    await expect(openRepo({ repoDir: repo.dir, scratchDir: scratchIn(repo.root), branchPrefix: 'scrum-apply/' })).rejects.toThrow(
      /cannot read .*(terminal prompts disabled|could not read Username)/,
    );
  });

  it('a remote that cannot be reached (connection refused) falls back to local refs with a warning', async () => {
    await server.close();
    const { logger, lines } = captureLogger();
    const ws = await openRepo({ repoDir: repo.dir, scratchDir: scratchIn(repo.root), branchPrefix: 'scrum-apply/', auth: AUTH, logger });
    try {
      expect(ws.baseSha).toBe(git(repo.dir, 'rev-parse', 'main').trim());
      const warning = lines().find((l) => l.msg === 'cannot reach the remote; using local refs');
      expect(String(warning?.reason)).toMatch(/connect|refused/i);
    } finally {
      await ws.dispose();
    }
    server = await startGitHttpServer(repo.origin, AUTH);
  });
});
