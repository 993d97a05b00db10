import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runGit } from '../../src/git/run-git.js';
import { git } from '../helpers/fixture-repo.js';
import { createGitSpy, type GitSpy } from '../helpers/git-spy.js';
import { branchOf, createE2eRig, FORMAT, mockCreatePullFor, randomToken, SHAPES, type E2eRig } from '../helpers/github-e2e.js';
import { FORMAT_LABELS, SHAPES_LABELS } from '../helpers/github-e2e-expect.js';
import { mockAddLabels, mockListLabels, mockListPulls } from '../helpers/github-mocks.js';
import { allText, expectNoToken as expectLeakFree } from '../helpers/token-leaks.js';
import { startGitHttpServer, type GitHttpServer } from '../git/git-http-server.js';

/** GitHub's git user name for a token. */
const USER = 'x-access-token';
const expectNoToken = (text: string, token: string, where: string) => expectLeakFree(text, token, where, USER);

let rig: E2eRig | null = null;
let spy: GitSpy | null = null;
let server: GitHttpServer | null = null;
afterEach(async () => {
  spy?.restore();
  await server?.close();
  await rig?.close();
  rig = null;
  spy = null;
  server = null;
});

describe('the GitHub token', () => {
  it('reaches git only as an HTTP header from the environment: never argv, config, output or the audit log', async () => {
    rig = await createE2eRig();
    const token = rig.target.token;
    // origin is served over authenticated smart HTTP on 127.0.0.1, asking for exactly this token.
    server = await startGitHttpServer(rig.repo.origin, { username: 'x-access-token', token });
    git(rig.repo.dir, 'remote', 'set-url', 'origin', server.url);
    spy = createGitSpy(join(rig.repo.root, 'spy'));

    const mock = rig.newMock();
    mockListPulls(mock, [[]]);
    mockListLabels(mock, [...new Set([...SHAPES_LABELS, ...FORMAT_LABELS])]);
    mockCreatePullFor(mock, branchOf(SHAPES), 1);
    mockCreatePullFor(mock, branchOf(FORMAT), 2);
    mockAddLabels(mock, 1);
    mockAddLabels(mock, 2);
    spy.install();
    const result = await rig.run();
    spy.restore();
    expect(result.stderr).not.toMatch(/run failed/);
    expect(result.code).toBe(0);
    mock.done();
    expect(rig.lastRun().get(SHAPES)?.action).toBe('pr_opened');

    // The branches went over HTTP, and every request to the server carried the token as a header.
    expect(git(rig.repo.origin, 'rev-parse', '--verify', '-q', branchOf(SHAPES)).trim()).toMatch(/^[0-9a-f]{40}$/);
    const basic = `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
    expect(server.requests.some((r) => r.url.includes('git-receive-pack'))).toBe(true);
    for (const request of server.requests) {
      expect(request.headers.authorization).toBe(basic);
      expectNoToken(request.url, token, `request URL ${request.url}`);
    }

    // The spy saw our git processes (fetch, push, …), and none had the token in its argv.
    const argv = spy.argv();
    expect(argv.some((args) => args.includes('push'))).toBe(true);
    expect(argv.some((args) => args.includes('fetch'))).toBe(true);
    expectNoToken(JSON.stringify(argv), token, 'git argv');
    // No config file git read (the user's repository, our scratch repository) held it.
    expect(spy.configs()).toContain('[core]');
    expectNoToken(spy.configs(), token, 'a git config file');
    expectNoToken(readFileSync(join(rig.repo.dir, '.git', 'config'), 'utf8'), token, 'the repository .git/config');
    expect(git(rig.repo.dir, 'remote', 'get-url', 'origin').trim()).toBe(server.url);

    // Nor the output, the audit log, or anything left in the data directory.
    expectNoToken(result.stdout, token, 'stdout');
    expectNoToken(result.stderr, token, 'stderr');
    expectNoToken(readFileSync(rig.auditPath, 'utf8'), token, 'the audit log');
    expectNoToken(allText(rig.dataDir), token, 'the data directory');
    expectNoToken(JSON.stringify(mock.requests), token, 'GitHub request bodies');
  });
});

describe('runGit with credentials', () => {
  it('sends the token as a basic-auth header from GIT_CONFIG_* in the environment, not in argv', async () => {
    const token = randomToken();
    const seen: IncomingHttpHeaders[] = [];
    const http = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(404).end('not here\n');
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    const root = mkdtempSync(join(tmpdir(), 'scrum-apply-git-auth-'));
    spy = createGitSpy(root);
    spy.install();
    try {
      const failure = await runGit(['ls-remote', '--end-of-options', `http://127.0.0.1:${port}/octo/demo.git`], {
        cwd: root,
        auth: { username: 'x-access-token', token },
      }).then(
          () => null,
          (error: unknown) => (error instanceof Error ? error.message : String(error)),
        );
      expect(failure).toMatch(/not found|404/i);
      expectNoToken(failure ?? '', token, 'the git error');
    } finally {
      spy.restore();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
    const argv = spy.argv();
    rmSync(root, { recursive: true, force: true });

    // git's smart-HTTP discovery request (GET /info/refs) carried the header.
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]?.authorization).toBe(`Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`);
    expect(argv.find((args) => args.includes('ls-remote'))).toBeDefined();
    expectNoToken(JSON.stringify(argv), token, 'git argv');
  });
});
