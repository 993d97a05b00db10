import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '../helpers/fixture-repo.js';
import { createGitSpy, type GitSpy } from '../helpers/git-spy.js';
import {
  createGiteaRig,
  GIT_USER,
  giteaError,
  mockCreatePullFor,
  mockListLabels,
  mockListPulls,
  type GiteaRig,
} from '../helpers/gitea-e2e.js';
import { branchOf, FORMAT, SHAPES } from '../helpers/github-e2e.js';
import { FORMAT_LABELS, SHAPES_LABELS } from '../helpers/github-e2e-expect.js';
import { allText, expectNoToken } from '../helpers/token-leaks.js';
import { startGitHttpServer, type GitHttpServer } from '../git/git-http-server.js';

let rig: GiteaRig | null = null;
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

describe('the Gitea token', () => {
  it('reaches git only as an HTTP header and Gitea only as `Authorization: token`; an error echoing it is redacted', async () => {
    rig = await createGiteaRig();
    const token = rig.token;
    const noToken = (text: string, where: string) => expectNoToken(text, token, where, GIT_USER);
    // origin over authenticated smart HTTP on 127.0.0.1, asking for exactly this user and token.
    server = await startGitHttpServer(rig.repo.origin, { username: GIT_USER, token });
    git(rig.repo.dir, 'remote', 'set-url', 'origin', server.url);
    spy = createGitSpy(join(rig.repo.root, 'spy'));

    const mock = rig.newMock();
    mockListPulls(mock, []);
    mockListLabels(mock, [...new Set([...SHAPES_LABELS, ...FORMAT_LABELS])].map((name, i) => ({ id: 60 + i, name })));
    mockCreatePullFor(mock, branchOf(SHAPES), 1);
    // format.rs: Gitea fails and its message echoes the token.
    mockCreatePullFor(mock, branchOf(FORMAT), 2, () => giteaError(500, `internal error (token ${token} rejected by hook)`));
    spy.install();
    const result = await rig.run();
    spy.restore();
    expect(result.stderr).not.toMatch(/run failed/);
    expect(result.code).toBe(0);
    mock.done();

    const rows = rig.lastRun();
    expect(rows.get(SHAPES)?.action).toBe('pr_opened');
    expect(rows.get(FORMAT)).toMatchObject({
      action: 'error',
      pr: null,
      branch: branchOf(FORMAT),
      error: 'Gitea API POST /repos/octo/demo/pulls failed: 500 internal error (token [REDACTED] rejected by hook)',
    });

    // Both branches went over HTTP, every request carrying the token as a basic-auth header.
    const basic = `Basic ${Buffer.from(`${GIT_USER}:${token}`).toString('base64')}`;
    expect(server.requests.some((r) => r.url.includes('git-receive-pack'))).toBe(true);
    for (const request of server.requests) {
      expect(request.headers.authorization).toBe(basic);
      noToken(request.url, `request URL ${request.url}`);
    }
    expect(git(rig.repo.origin, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/scrum-apply/').trim().split('\n').sort()).toEqual(
      [branchOf(SHAPES), branchOf(FORMAT)].sort(),
    );

    // Not in any git argv or config file, nor the output, the audit log, the data directory or a request body.
    const argv = spy.argv();
    expect(argv.some((args) => args.includes('push'))).toBe(true);
    noToken(JSON.stringify(argv), 'git argv');
    expect(spy.configs()).toContain('[core]');
    noToken(spy.configs(), 'a git config file');
    noToken(readFileSync(join(rig.repo.dir, '.git', 'config'), 'utf8'), 'the repository .git/config');
    rig.expectNoToken(result);
    noToken(allText(rig.dataDir), 'the data directory');
    noToken(JSON.stringify(mock.requests), 'Gitea request bodies');
  });
});
