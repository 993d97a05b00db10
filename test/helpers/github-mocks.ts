import { Writable } from 'node:stream';
import nock from 'nock';
import { expect } from 'vitest';
import { createGitHubOctokit } from '../../src/forge/github/create-github-octokit.js';
import { createGitHubForge } from '../../src/forge/github/github-forge.js';
import { createLogger, type Logger } from '../../src/log/logger.js';
import { createRedactor } from '../../src/log/redact.js';
import { checkGitHubRequest, loadGitHubContract } from './github-contract.js';

/**
 * One helper per mocked GitHub endpoint. Every intercepted request is recorded and checked
 * against GitHub's OpenAPI contract and the expected token; `done()` fails the test on any
 * violation or on a mock that was never called.
 */

export const GITHUB_API = 'https://api.github.com';
export const OWNER = 'acme';
export const REPO = 'widgets';
export const TOKEN = `ghs_${'T0ken'.repeat(8)}`;

const contract = loadGitHubContract();

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
}

/** Where the mocked API lives and what it expects: tests of the whole CLI pick their own. */
export interface GitHubTarget {
  api: string;
  owner: string;
  repo: string;
  token: string;
}

export const DEFAULT_TARGET: GitHubTarget = { api: GITHUB_API, owner: OWNER, repo: REPO, token: TOKEN };

export interface GitHubMock {
  scope: nock.Scope;
  target: GitHubTarget;
  /** `/repos/{owner}/{repo}` of the target. */
  repoPath: string;
  requests: RecordedRequest[];
  violations: string[];
  /** Requests that change something (everything but GET). */
  writes(): RecordedRequest[];
  /** Assert: every request met the contract, every mock was used. */
  done(): void;
}

export function createGitHubMock(target: Partial<GitHubTarget> = {}): GitHubMock {
  const full: GitHubTarget = { ...DEFAULT_TARGET, ...target };
  const scope = nock(full.api);
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  return {
    scope,
    target: full,
    repoPath: `/repos/${full.owner}/${full.repo}`,
    requests,
    violations,
    writes: () => requests.filter((r) => r.method !== 'GET'),
    done() {
      expect(violations).toEqual([]);
      expect(scope.pendingMocks()).toEqual([]);
      expect(scope.isDone()).toBe(true);
    },
  };
}

type Payload = unknown | ((body: unknown) => unknown);

export interface Reply {
  status?: number;
  payload?: Payload;
  headers?: Record<string, string>;
}

/** The reply function every helper uses: record, check the contract and the token, answer. */
export function respond(mock: GitHubMock, method: string, reply: Reply, defaultStatus: number) {
  return function (this: nock.ReplyFnContext, uri: string, rawBody: nock.Body): nock.ReplyFnResult {
    const body = typeof rawBody === 'string' ? (rawBody === '' ? undefined : JSON.parse(rawBody)) : rawBody;
    mock.requests.push({ method, path: uri, body });
    const problems = checkGitHubRequest(contract, { method, path: uri, body });
    if (this.req.headers.authorization !== `token ${mock.target.token}`) problems.push(`${method} ${uri}: missing or wrong authorization`);
    if (problems.length > 0) {
      mock.violations.push(...problems);
      return [400, { message: `contract violation: ${problems.join('; ')}` }];
    }
    const payload = typeof reply.payload === 'function' ? reply.payload(body) : reply.payload;
    return [reply.status ?? defaultStatus, payload ?? null, reply.headers ?? {}];
  };
}

export interface PullFixture {
  number: number;
  head: string;
  state?: 'open' | 'closed';
  merged?: boolean;
  title?: string;
  body?: string | null;
  base?: string;
  labels?: string[];
  /** `owner/repo` of the head; null for a deleted fork. */
  headRepo?: string | null;
  headSha?: string;
  createdAt?: string;
  /** When it was closed (merged or not); a closed PR without one is closed at 2024-05-01. */
  closedAt?: string;
}

/** A pull request as GitHub's API returns it (the fields we read and a few more). */
export function pullPayload(p: PullFixture, target: Pick<GitHubTarget, 'owner' | 'repo'> = DEFAULT_TARGET): Record<string, unknown> {
  const headRepo = p.headRepo === undefined ? `${target.owner}/${target.repo}` : p.headRepo;
  return {
    id: 1000 + p.number,
    number: p.number,
    html_url: `https://github.com/${target.owner}/${target.repo}/pull/${p.number}`,
    state: p.state ?? 'open',
    created_at: p.createdAt ?? '2024-04-30T00:00:00Z',
    closed_at: p.state === 'closed' ? (p.closedAt ?? '2024-05-01T00:00:00Z') : null,
    merged_at: p.merged === true ? (p.closedAt ?? '2024-05-01T00:00:00Z') : null,
    title: p.title ?? `PR ${p.number}`,
    body: p.body === undefined ? '' : p.body,
    draft: false,
    head: { ref: p.head, sha: p.headSha ?? 'f'.repeat(40), repo: headRepo === null ? null : { full_name: headRepo } },
    base: { ref: p.base ?? 'main', sha: 'e'.repeat(40) },
    labels: (p.labels ?? []).map((name, i) => ({ id: i + 1, name, color: 'ededed' })),
  };
}

/** GET /repos/{o}/{r}/pulls?state=all&per_page=100, one interceptor per page (Link headers chain them). */
export function mockListPulls(mock: GitHubMock, pages: Array<Array<Record<string, unknown>>>): void {
  pages.forEach((page, i) => {
    const query: Record<string, string> = { state: 'all', per_page: '100', ...(i === 0 ? {} : { page: String(i + 1) }) };
    const next: Record<string, string> =
      i + 1 < pages.length ? { link: `<${mock.target.api}${mock.repoPath}/pulls?state=all&per_page=100&page=${i + 2}>; rel="next"` } : {};
    mock.scope.get(`${mock.repoPath}/pulls`).query(query).reply(respond(mock, 'GET', { payload: page, headers: next }, 200));
  });
}

/** POST /repos/{o}/{r}/pulls; by default answers with the PR the request describes. */
export function mockCreatePull(mock: GitHubMock, number: number, reply: Reply = {}): void {
  const payload: Payload =
    reply.payload ??
    ((body: unknown) => {
      const b = asRecord(body);
      return pullPayload({ number, head: String(b.head), base: String(b.base), title: String(b.title), body: String(b.body) }, mock.target);
    });
  mock.scope.post(`${mock.repoPath}/pulls`).reply(respond(mock, 'POST', { ...reply, payload }, 201));
}

/** PATCH /repos/{o}/{r}/pulls/{n}; by default answers with `base` updated by the request. */
export function mockUpdatePull(mock: GitHubMock, base: PullFixture, reply: Reply = {}): void {
  const payload: Payload = reply.payload ?? ((body: unknown) => pullPayload({ ...base, ...pick(asRecord(body), ['title', 'body']) }, mock.target));
  mock.scope.patch(`${mock.repoPath}/pulls/${base.number}`).reply(respond(mock, 'PATCH', { ...reply, payload }, 200));
}

/** POST /repos/{o}/{r}/issues/{n}/labels; answers with `existing` plus the added labels. */
export function mockAddLabels(mock: GitHubMock, number: number, existing: string[] = [], reply: Reply = {}): void {
  const payload: Payload = reply.payload ?? ((body: unknown) => labelPayloads([...existing, ...labelNames(body)]));
  mock.scope.post(`${mock.repoPath}/issues/${number}/labels`).reply(respond(mock, 'POST', { ...reply, payload }, 200));
}

/** PUT /repos/{o}/{r}/issues/{n}/labels; answers with the labels set. */
export function mockSetLabels(mock: GitHubMock, number: number, reply: Reply = {}): void {
  const payload: Payload = reply.payload ?? ((body: unknown) => labelPayloads(labelNames(body)));
  mock.scope.put(`${mock.repoPath}/issues/${number}/labels`).reply(respond(mock, 'PUT', { ...reply, payload }, 200));
}

/** DELETE /repos/{o}/{r}/issues/{n}/labels */
export function mockRemoveAllLabels(mock: GitHubMock, number: number): void {
  mock.scope.delete(`${mock.repoPath}/issues/${number}/labels`).reply(respond(mock, 'DELETE', {}, 204));
}

/** GET /repos/{o}/{r}/labels?per_page=100 (one page). */
export function mockListLabels(mock: GitHubMock, names: string[]): void {
  mock.scope.get(`${mock.repoPath}/labels`).query({ per_page: '100' }).reply(respond(mock, 'GET', { payload: labelPayloads(names) }, 200));
}

/** POST /repos/{o}/{r}/labels, `times` times; `alreadyExists` answers GitHub's 422. */
export function mockCreateLabel(mock: GitHubMock, options: { times?: number; alreadyExists?: boolean } = {}): void {
  const reply: Reply = options.alreadyExists
    ? { status: 422, payload: { message: 'Validation Failed', errors: [{ resource: 'Label', code: 'already_exists', field: 'name' }] } }
    : { payload: (body: unknown) => ({ id: 1, ...asRecord(body) }) };
  mock.scope
    .post(`${mock.repoPath}/labels`)
    .times(options.times ?? 1)
    .reply(respond(mock, 'POST', reply, 201));
}

/** GET /repos/{o}/{r}/collaborators/{username}/permission */
export function mockPermission(mock: GitHubMock, username: string, reply: Reply): void {
  mock.scope.get(`${mock.repoPath}/collaborators/${username}/permission`).reply(respond(mock, 'GET', reply, 200));
}

/** POST /repos/{o}/{r}/issues/{n}/comments */
export function mockCreateComment(mock: GitHubMock, issueNumber: number, commentId: number): void {
  const payload = { id: commentId, html_url: `https://github.com/${mock.target.owner}/${mock.target.repo}/issues/${issueNumber}#issuecomment-${commentId}` };
  mock.scope.post(`${mock.repoPath}/issues/${issueNumber}/comments`).reply(respond(mock, 'POST', { payload }, 201));
}

/** POST /repos/{o}/{r}/issues/comments/{id}/reactions */
export function mockReaction(mock: GitHubMock, commentId: number): void {
  mock.scope
    .post(`${mock.repoPath}/issues/comments/${commentId}/reactions`)
    .reply(respond(mock, 'POST', { payload: { id: 1, content: 'eyes' } }, 201));
}

/** GET /repos/{o}/{r}; `reply` overrides the answer (errors, rate limits). */
export function mockGetRepo(mock: GitHubMock, reply: Reply = {}): void {
  const payload = reply.payload ?? { id: 1, full_name: `${mock.target.owner}/${mock.target.repo}`, default_branch: 'main' };
  mock.scope.get(mock.repoPath).reply(respond(mock, 'GET', { ...reply, payload }, 200));
}

/** A logger whose lines (already redacted) are kept for assertions. */
export function captureLogger(secrets: string[] = [TOKEN]): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return { logger: createLogger({ redact: createRedactor(secrets), level: 'debug', destination }), lines };
}

/** The real GitHub forge against the mocked API: no throttling or retries, so tests stay fast. */
export function createMockedGitHubForge(logger: Logger = captureLogger().logger) {
  const octokit = createGitHubOctokit({ token: TOKEN, baseUrl: GITHUB_API, logger, throttle: false, retries: 0 });
  return createGitHubForge({ octokit, owner: OWNER, repo: REPO, logger, redact: createRedactor([TOKEN]) });
}

function labelPayloads(names: string[]) {
  return names.map((name, i) => ({ id: i + 1, name, color: 'ededed', default: false }));
}

function labelNames(body: unknown): string[] {
  const labels = asRecord(body).labels;
  return Array.isArray(labels) ? labels.map(String) : [];
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : {};
}

function pick(record: Record<string, unknown>, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => typeof record[k] === 'string').map((k) => [k, String(record[k])]));
}
