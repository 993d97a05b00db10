import { createHmac, generateKeyPairSync } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { startLlmStandIn, type LlmStandIn } from '../../tools/demo/llm-stand-in.js';
import { DEMO_EXAMPLES, recordedAnswers } from '../../tools/demo/recorded-answers.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { createFixtureRepo, git, type FixtureRepo } from '../helpers/fixture-repo.js';
import { createGitSpy, type GitSpy } from '../helpers/git-spy.js';
import { branchOf, mockCreatePullFor, randomToken, SHAPES } from '../helpers/github-e2e.js';
import { SHAPES_LABELS } from '../helpers/github-e2e-expect.js';
import {
  captureLogger,
  createGitHubMock,
  mockAddLabels,
  mockCreateComment,
  mockGetRepo,
  mockListLabels,
  mockListPulls,
  mockPermission,
  mockReaction,
} from '../helpers/github-mocks.js';
import { startGitHttpServer, type GitHttpServer } from '../git/git-http-server.js';
import { githubCommentPayload, giteaCommentPayload } from './app-fixtures.js';
import { postedComments, TestOctokit } from './probot-harness.js';

/**
 * The whole server with the real pipeline: a signed webhook in, the repository cloned over
 * authenticated HTTP, the LLM stand-in asked, `cargo check` run, the PR opened on a mocked
 * GitHub, and one reply with the table.
 */

let llm: LlmStandIn | null = null;
let repo: FixtureRepo | null = null;
let gitServer: GitHttpServer | null = null;
let server: RunningServer | null = null;
let spy: GitSpy | null = null;
afterEach(async () => {
  spy?.restore();
  await server?.close();
  await gitServer?.close();
  await llm?.close();
  repo?.cleanup();
  llm = repo = gitServer = server = spy = null;
  nock.cleanAll();
  nock.enableNetConnect();
});

/** The demo repository with its review log committed (a server run reads the clone). */
function demoRepo(): FixtureRepo {
  const fixture = createFixtureRepo({ prefix: 'scrum-apply-server-e2e-' });
  mkdirSync(join(fixture.dir, 'data/_kb'), { recursive: true });
  cpSync(join(DEMO_EXAMPLES, 'scrum_reviews.jsonl'), join(fixture.dir, 'data/_kb/scrum_reviews.jsonl'));
  // The demo ignores data/_kb/ (a local log); here the repository carries it.
  git(fixture.dir, 'add', '-f', 'data/_kb/scrum_reviews.jsonl');
  fixture.commitAll('review log');
  const srv = join(fixture.root, 'srv', 'acme');
  mkdirSync(srv, { recursive: true });
  symlinkSync(fixture.origin, join(srv, 'widgets.git'));
  return fixture;
}

function tokenForms(token: string): string[] {
  return [token, Buffer.from(`x-access-token:${token}`).toString('base64'), Buffer.from(token).toString('base64').replace(/=+$/, '')];
}

function expectNoToken(text: string, token: string, where: string): void {
  for (const form of tokenForms(token)) expect(text.includes(form), `${where} holds the token`).toBe(false);
}

describe('the server end to end, with the real pipeline', () => {
  it('GitHub App: a signed /scrum-apply comment opens the PR and gets one reply; the token never reaches argv or .git/config', async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    repo = demoRepo();
    llm = await startLlmStandIn((request) => recordedAnswers()(request.prompt));
    const token = randomToken();
    gitServer = await startGitHttpServer(join(repo.root, 'srv', 'acme'), { username: 'x-access-token', token });
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const dataDir = join(repo.root, 'data');
    const { logger, lines } = captureLogger([token]);
    server = await startServer(
      {
        HOST: '127.0.0.1',
        PORT: '0',
        APP_ID: '123',
        PRIVATE_KEY: privateKey,
        WEBHOOK_SECRET: 'github-webhook-secret',
        SCRUM_APPLY_LLM_URL: llm.url,
        SCRUM_APPLY_DATA_DIR: dataDir,
        SCRUM_APPLY_GIT_BASE_URL: gitServer.url.replace(/\/acme$/, ''),
      },
      { logger, Octokit: TestOctokit },
    );

    // The installation token the app asks GitHub for, then every API call made with it.
    const tokens = nock('https://api.github.com')
      .post('/app/installations/1/access_tokens')
      .reply(201, { token, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: {}, repository_selection: 'all' });
    const mock = createGitHubMock({ token });
    mockPermission(mock, 'octocat', { payload: { permission: 'admin', role_name: 'admin', user: { login: 'octocat' } } });
    mockReaction(mock, 4242);
    mockGetRepo(mock);
    mockListPulls(mock, [[]]);
    mockListLabels(mock, SHAPES_LABELS);
    mockCreatePullFor(mock, branchOf(SHAPES), 1);
    mockAddLabels(mock, 1);
    mockCreateComment(mock, 7, 900);

    spy = createGitSpy(join(repo.root, 'spy'));
    spy.install();
    const body = JSON.stringify(githubCommentPayload({ body: `/scrum-apply ${SHAPES}`, commentId: 4242, issueNumber: 7 }));
    const response = await fetch(`${server.url}/api/github/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'issue_comment',
        'x-github-delivery': 'e2e-delivery-1',
        'x-hub-signature-256': `sha256=${createHmac('sha256', 'github-webhook-secret').update(body).digest('hex')}`,
      },
      body,
    });
    expect(response.status).toBe(200);
    await server.service.onIdle();
    spy.restore();

    expect(tokens.isDone()).toBe(true);
    mock.done();
    const replies = postedComments(mock);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain(`| \`${SHAPES}\` | PR opened | [#1](https://github.com/acme/widgets/pull/1) |`);
    expect(git(repo.origin, 'rev-parse', '--verify', '-q', branchOf(SHAPES)).trim()).toMatch(/^[0-9a-f]{40}$/);
    expect(llm.requests.length).toBeGreaterThan(0);

    const audit = readFileSync(join(dataDir, 'audit', 'github', 'acme', 'widgets.jsonl'), 'utf8').trim().split('\n');
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0] ?? '{}')).toMatchObject({ file: SHAPES, action: 'pr_opened', trigger: 'comment', actor: 'octocat', pr: { number: 1 } });

    // The token went to git as a header only.
    const basic = `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
    expect(gitServer.requests.length).toBeGreaterThan(0);
    for (const request of gitServer.requests) {
      expect(request.headers.authorization).toBe(basic);
      expectNoToken(request.url, token, `git request ${request.url}`);
    }
    const argv = spy.argv();
    expect(argv.some((args) => args.includes('clone'))).toBe(true);
    expect(argv.some((args) => args.includes('push'))).toBe(true);
    for (const args of argv) expectNoToken(args.join(' '), token, `git ${args.join(' ')}`);
    expectNoToken(spy.configs(), token, 'a .git/config git saw');
    expectNoToken(readFileSync(join(dataDir, 'repos', 'github', 'acme', 'widgets', '.git', 'config'), 'utf8'), token, 'the clone’s .git/config');
    expectNoToken(audit.join('\n'), token, 'the audit log');
    expectNoToken(replies.join('\n'), token, 'the reply');
    expectNoToken(lines.join(''), token, 'the logs');
    expectNoToken(JSON.stringify(llm.requests.map((r) => [r.headers, r.body])), token, 'the LLM requests');
  }, 240_000);

  it('Gitea: a permitted dry-run comment runs the real pipeline and replies; a refused one clones nothing', async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    repo = demoRepo();
    llm = await startLlmStandIn((request) => recordedAnswers()(request.prompt));
    const dataDir = join(repo.root, 'data');
    const giteaToken = 'gitea-e2e-token-0c4e1b9d';
    const { logger, lines } = captureLogger([giteaToken]);
    server = await startServer(
      {
        HOST: '127.0.0.1',
        PORT: '0',
        GITEA_URL: 'https://gitea.example.test',
        GITEA_TOKEN: giteaToken,
        GITEA_WEBHOOK_SECRET: 'gitea-secret',
        SCRUM_APPLY_LLM_URL: llm.url,
        SCRUM_APPLY_DATA_DIR: dataDir,
        SCRUM_APPLY_GIT_BASE_URL: join(repo.root, 'srv'),
      },
      { logger },
    );
    const api = nock('https://gitea.example.test', { reqheaders: { authorization: `token ${giteaToken}` } });
    const replies: string[] = [];
    const reply = (_uri: string, requestBody: nock.Body) => {
      replies.push(typeof requestBody === 'object' && requestBody !== null && 'body' in requestBody ? String(requestBody.body) : '');
      return { id: 6000 + replies.length, html_url: 'https://gitea.example.test/acme/widgets/issues/7#c' };
    };
    const deliver = async (login: string, text: string, delivery: string) => {
      const payload = JSON.stringify(giteaCommentPayload({ body: text, login }));
      const res = await fetch(`${server?.url ?? ''}/api/gitea/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-gitea-event': 'issue_comment',
          'x-gitea-delivery': delivery,
          'x-gitea-signature': createHmac('sha256', 'gitea-secret').update(payload).digest('hex'),
        },
        body: payload,
      });
      return res.status;
    };

    // Refused: a reader. Nothing cloned, nothing asked of the model.
    api.get('/api/v1/repos/acme/widgets/collaborators/reader/permission').reply(200, { permission: 'read', role_name: 'read' });
    api.post('/api/v1/repos/acme/widgets/issues/7/comments').reply(201, reply);
    expect(await deliver('reader', '/scrum-apply', 'g-1')).toBe(200);
    await server.service.onIdle();
    expect(replies).toEqual([expect.stringMatching(/yours is `read`/)]);
    expect(existsSync(join(dataDir, 'repos'))).toBe(false);
    expect(llm.requests).toEqual([]);

    // Permitted: the maintainer's dry run.
    api.get('/api/v1/repos/acme/widgets/collaborators/maintainer/permission').reply(200, { permission: 'write', role_name: 'write' });
    api.post('/api/v1/repos/acme/widgets/issues/comments/4242/reactions', { content: 'eyes' }).reply(201, { content: 'eyes' });
    api.get('/api/v1/repos/acme/widgets').reply(200, { default_branch: 'main' });
    api.post('/api/v1/repos/acme/widgets/issues/7/comments').reply(201, reply);
    expect(await deliver('maintainer', `/scrum-apply dry-run ${SHAPES}`, 'g-2')).toBe(200);
    await server.service.onIdle();
    expect(api.isDone()).toBe(true);
    expect(replies).toHaveLength(2);
    expect(replies[1]).toContain(`scrum-apply results for \`/scrum-apply dry-run ${SHAPES}\``);
    expect(replies[1]).toContain(`| \`${SHAPES}\` | green (dry run) |`);
    expect(llm.requests.length).toBeGreaterThan(0);
    expect(git(repo.origin, 'branch', '--list', 'scrum-apply/*').trim()).toBe('');
    const audit = readFileSync(join(dataDir, 'audit', 'gitea', 'acme', 'widgets.jsonl'), 'utf8');
    expect(JSON.parse(audit.trim())).toMatchObject({ file: SHAPES, action: 'dry_run_committed', trigger: 'comment', actor: 'maintainer', dry_run: true });
    expect(lines.join('')).not.toContain(giteaToken);
  }, 240_000);
});
