import nock from 'nock';
import { expect } from 'vitest';
import { respond, type GitHubMock, type Reply } from './github-mocks.js';
import { checkGiteaRequest, loadGiteaContract } from './gitea-contract.js';
import { GITEA_TOKEN, GITEA_URL, OWNER, REPO, type GiteaTarget } from './gitea-mocks.js';

/**
 * The dashboard issue's endpoints, mocked on both forges. GitHub requests are checked by
 * `respond` (GitHub's OpenAPI contract); Gitea requests here against Gitea's Swagger contract.
 */

export interface IssueFixture {
  number: number;
  body: string;
  state?: 'open' | 'closed';
  /** A pull request: the issues API lists those too. */
  pull?: boolean;
}

/** An issue as GitHub's API returns it (the fields we read and a few more). */
export function githubIssue(mock: GitHubMock, issue: IssueFixture): Record<string, unknown> {
  const page = `https://github.com/${mock.target.owner}/${mock.target.repo}/issues/${issue.number}`;
  return {
    id: 5000 + issue.number,
    number: issue.number,
    html_url: page,
    state: issue.state ?? 'open',
    title: 'scrum-apply dashboard',
    body: issue.body,
    labels: [{ id: 1, name: 'scrum-apply', color: 'ededed' }],
    ...(issue.pull ? { pull_request: { url: page.replace('/issues/', '/pulls/') } } : {}),
  };
}

/** GET /repos/{o}/{r}/issues?labels=…&state=all&per_page=100, one interceptor per page. */
export function mockListIssues(mock: GitHubMock, label: string, pages: IssueFixture[][], options: { optional?: boolean } = {}): void {
  pages.forEach((page, i) => {
    const base = `labels=${encodeURIComponent(label)}&state=all&per_page=100`;
    const query: Record<string, string> = { labels: label, state: 'all', per_page: '100', ...(i === 0 ? {} : { page: String(i + 1) }) };
    const next: Record<string, string> = i + 1 < pages.length ? { link: `<${mock.target.api}${mock.repoPath}/issues?${base}&page=${i + 2}>; rel="next"` } : {};
    const payload = page.map((issue) => githubIssue(mock, issue));
    const interceptor = mock.scope.get(`${mock.repoPath}/issues`).query(query);
    if (options.optional === true) interceptor.optionally();
    interceptor.reply(respond(mock, 'GET', { payload, headers: next }, 200));
  });
}

/** POST /repos/{o}/{r}/issues; answers with the issue the request describes. */
export function mockCreateIssue(mock: GitHubMock, number: number, reply: Reply = {}, options: { optional?: boolean } = {}): void {
  const payload = (body: unknown) => githubIssue(mock, { number, body: String(z(body).body ?? '') });
  const interceptor = mock.scope.post(`${mock.repoPath}/issues`);
  if (options.optional === true) interceptor.optionally();
  interceptor.reply(respond(mock, 'POST', { payload, ...reply }, 201));
}

/** PATCH /repos/{o}/{r}/issues/{n}; answers with the issue edited. */
export function mockEditIssue(mock: GitHubMock, number: number, reply: Reply = {}): void {
  const payload = (body: unknown) => githubIssue(mock, { number, body: String(z(body).body ?? '') });
  mock.scope.patch(`${mock.repoPath}/issues/${number}`).reply(respond(mock, 'PATCH', { payload, ...reply }, 200));
}

function z(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null ? Object.fromEntries(Object.entries(body)) : {};
}

const giteaContract = loadGiteaContract();

/** A Gitea mock that records every request and checks it against Gitea's Swagger contract. */
export interface GiteaIssueMock {
  scope: nock.Scope;
  target: GiteaTarget;
  /** `/api/v1/repos/{owner}/{repo}` of the target. */
  api: string;
  requests: Array<{ method: string; path: string; body: unknown }>;
  violations: string[];
  writes(): Array<{ method: string; path: string; body: unknown }>;
  done(): void;
}

export function createGiteaIssueMock(target: GiteaTarget = { url: GITEA_URL, owner: OWNER, repo: REPO }, token = GITEA_TOKEN): GiteaIssueMock {
  const scope = nock(target.url, { reqheaders: { authorization: `token ${token}` } });
  const requests: GiteaIssueMock['requests'] = [];
  const violations: string[] = [];
  return {
    scope,
    target,
    api: `/api/v1/repos/${target.owner}/${target.repo}`,
    requests,
    violations,
    writes: () => requests.filter((r) => r.method !== 'GET'),
    done() {
      expect(violations).toEqual([]);
      expect(scope.pendingMocks()).toEqual([]);
    },
  };
}

/** The reply function for Gitea issue mocks: record, check against the contract, answer. */
export function giteaRespond(mock: GiteaIssueMock, method: string, status: number, payload: (body: unknown) => unknown, headers: Record<string, string> = {}) {
  return (uri: string, rawBody: nock.Body): nock.ReplyFnResult => {
    const body = typeof rawBody === 'string' ? (rawBody === '' ? undefined : JSON.parse(rawBody)) : rawBody;
    mock.requests.push({ method, path: uri, body });
    const problems = checkGiteaRequest(giteaContract, { method, path: uri, body });
    if (problems.length > 0) {
      mock.violations.push(...problems);
      return [422, { message: `contract violation: ${problems.join('; ')}` }];
    }
    return [status, JSON.stringify(payload(body) ?? null), { 'content-type': 'application/json', ...headers }];
  };
}

/** An issue as Gitea's API returns it (swagger `Issue`). */
export function giteaIssue(target: GiteaTarget, issue: IssueFixture): Record<string, unknown> {
  const page = `${target.url}/${target.owner}/${target.repo}/issues/${issue.number}`;
  return {
    id: 7000 + issue.number,
    url: `${target.url}/api/v1/repos/${target.owner}/${target.repo}/issues/${issue.number}`,
    html_url: page,
    number: issue.number,
    user: { id: 2, login: 'scrum-bot' },
    original_author: '',
    original_author_id: 0,
    title: 'scrum-apply dashboard',
    body: issue.body,
    ref: '',
    labels: [{ id: 3, name: 'scrum-apply', color: 'ededed', description: '', url: '' }],
    milestone: null,
    assignee: null,
    assignees: null,
    state: issue.state ?? 'open',
    is_locked: false,
    comments: 0,
    created_at: '2024-05-01T10:00:00Z',
    updated_at: '2024-05-01T10:00:00Z',
    closed_at: issue.state === 'closed' ? '2024-05-02T10:00:00Z' : null,
    due_date: null,
    pull_request: issue.pull ? { merged: false, merged_at: null } : null,
    repository: { id: 7, name: target.repo, owner: target.owner, full_name: `${target.owner}/${target.repo}` },
  };
}

/** GET …/issues?type=issues&labels=…&state=all&limit=50&page=N, one page per entry (X-Total-Count set). */
export function mockGiteaListIssues(mock: GiteaIssueMock, label: string, pages: IssueFixture[][]): void {
  const total = String(pages.reduce((sum, page) => sum + page.length, 0));
  pages.forEach((page, i) => {
    mock.scope
      .get(`${mock.api}/issues`)
      .query({ type: 'issues', labels: label, state: 'all', limit: '50', page: String(i + 1) })
      .reply(giteaRespond(mock, 'GET', 200, () => page.map((issue) => giteaIssue(mock.target, issue)), { 'X-Total-Count': total }));
  });
}

/** POST …/issues (201 with the issue). */
export function mockGiteaCreateIssue(mock: GiteaIssueMock, number: number): void {
  mock.scope.post(`${mock.api}/issues`).reply(giteaRespond(mock, 'POST', 201, (body) => giteaIssue(mock.target, { number, body: String(z(body).body ?? '') })));
}

/** PATCH …/issues/{index} (201, as every Gitea edit). */
export function mockGiteaEditIssue(mock: GiteaIssueMock, number: number): void {
  mock.scope.patch(`${mock.api}/issues/${number}`).reply(giteaRespond(mock, 'PATCH', 201, (body) => giteaIssue(mock.target, { number, body: String(z(body).body ?? '') })));
}

/** The dashboard body a run sent (POST …/issues or PATCH …/issues/{n}), or undefined. */
export function sentDashboardBody(requests: Array<{ method: string; path: string; body: unknown }>): string | undefined {
  const sent = requests.find((r) => (r.method === 'POST' && /\/issues$/u.test(r.path)) || (r.method === 'PATCH' && /\/issues\/\d+$/u.test(r.path)));
  const body = sent === undefined ? undefined : z(sent.body).body;
  return typeof body === 'string' ? body : undefined;
}

/** The dashboard's sections by heading (without the count), each with its lines; the state marker left out. */
export function dashboardSections(body: string): Map<string, string> {
  const sections = new Map<string, string>();
  for (const part of body.replace(/<!-- scrum-apply:dashboard [^>]*-->/u, '').split(/^### /mu).slice(1)) {
    const [heading = '', ...rest] = part.split('\n');
    sections.set(heading.replace(/ \(\d+\)$/u, ''), rest.join('\n'));
  }
  return sections;
}

/**
 * A repository without a dashboard yet, for runs whose dashboard is not what the test is
 * about: the listing, the label (there already) and the creation, each allowed to go unused.
 */
export function mockNewDashboardOptionally(mock: GitHubMock, number = 90): void {
  mockListIssues(mock, 'scrum-apply', [[]], { optional: true });
  mock.scope
    .get(`${mock.repoPath}/labels`)
    .query({ per_page: '100' })
    .optionally()
    .reply(respond(mock, 'GET', { payload: [{ id: 1, name: 'scrum-apply', color: '5319e7', default: false }] }, 200));
  mockCreateIssue(mock, number, {}, { optional: true });
}
