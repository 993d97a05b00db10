import nock from 'nock';
import { expect } from 'vitest';
import { z } from 'zod';
import { giteaLabel, giteaPull, type GiteaTarget, type PullFixture } from './gitea-mocks.js';
import { record } from './github-e2e.js';
import type { RecordedRequest } from './github-mocks.js';

/**
 * The Gitea API of the end-to-end tests, mocked with nock: answers in Gitea 1.21+'s documented
 * shapes (built by gitea-mocks), every request recorded and checked for the token and, for
 * writes, against the swagger's option types; `done()` fails on any violation or unused mock.
 */

export const GITEA: GiteaTarget = { url: 'https://gitea.test', owner: 'octo', repo: 'demo' };
export const API = '/api/v1/repos/octo/demo';
export const prUrl = (number: number): string => `${GITEA.url}/octo/demo/pulls/${number}`;

/** Swagger `CreatePullRequestOption`, `EditPullRequestOption`, `CreateLabelOption` (Gitea 1.21). */
const ids = z.array(z.number().int().positive());
const CreatePullRequestOption = z.strictObject({
  head: z.string().min(1),
  base: z.string().min(1),
  title: z.string().min(1),
  body: z.string().optional(),
  labels: ids.optional(),
  assignee: z.string().optional(),
  assignees: z.array(z.string()).optional(),
  milestone: z.number().int().optional(),
  due_date: z.string().optional(),
  reviewers: z.array(z.string()).optional(),
  team_reviewers: z.array(z.string()).optional(),
});
const EditPullRequestOption = z.strictObject({
  title: z.string().optional(),
  body: z.string().optional(),
  labels: ids.optional(),
  base: z.string().optional(),
  state: z.enum(['open', 'closed']).optional(),
  assignee: z.string().optional(),
  assignees: z.array(z.string()).optional(),
  milestone: z.number().int().optional(),
  due_date: z.string().optional(),
  unset_due_date: z.boolean().optional(),
  allow_maintainer_edit: z.boolean().optional(),
});
/** Swagger `CreateIssueCommentOption`. */
const CreateIssueCommentOption = z.strictObject({ body: z.string().min(1) });
const CreateLabelOption = z.strictObject({
  name: z.string().min(1),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be #rrggbb'),
  description: z.string().optional(),
  exclusive: z.boolean().optional(),
  is_archived: z.boolean().optional(),
});

export interface GiteaMock {
  scope: nock.Scope;
  /** The token every request must carry as `Authorization: token …`. */
  token: string;
  requests: RecordedRequest[];
  problems: string[];
  /** Every label the mocked Gitea has (listed or created), by name. */
  labelIds: Map<string, number>;
  /** The PRs this Gitea created or edited, by number. */
  pulls: Map<number, PullFixture>;
  /** Requests that change something (everything but GET). */
  writes(): RecordedRequest[];
  /** Assert: every request was well-formed and authorised, every mock was used. */
  done(): void;
}

export function createGiteaMock(token: string): GiteaMock {
  const scope = nock(GITEA.url);
  const requests: RecordedRequest[] = [];
  const problems: string[] = [];
  return {
    scope,
    token,
    requests,
    problems,
    labelIds: new Map(),
    pulls: new Map(),
    writes: () => requests.filter((r) => r.method !== 'GET'),
    done() {
      expect(problems).toEqual([]);
      expect(scope.pendingMocks()).toEqual([]);
      expect(scope.isDone()).toBe(true);
    },
  };
}

type Answer = (body: unknown) => [status: number, payload: unknown];

/** The reply function every helper uses: record, check the token and the body, answer. */
function reply(mock: GiteaMock, method: string, answer: Answer, schema?: z.ZodType) {
  return function (this: nock.ReplyFnContext, uri: string, rawBody: nock.Body): nock.ReplyFnResult {
    const body = typeof rawBody === 'string' ? (rawBody === '' ? undefined : JSON.parse(rawBody)) : rawBody;
    mock.requests.push({ method, path: uri, body });
    const problems: string[] = [];
    if (this.req.headers.authorization !== `token ${mock.token}`) problems.push(`${method} ${uri}: missing or wrong authorization`);
    const parsed = schema?.safeParse(body);
    if (parsed && !parsed.success) problems.push(`${method} ${uri}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    if (problems.length > 0) {
      mock.problems.push(...problems);
      return [422, { message: problems.join('; '), url: `${GITEA.url}/api/swagger` }];
    }
    const [status, payload] = answer(body);
    const headers: Record<string, string> = { 'content-type': 'application/json;charset=utf-8' };
    if (Array.isArray(payload)) headers['x-total-count'] = String(payload.length);
    return [status, payload === undefined ? '' : JSON.stringify(payload), headers];
  };
}

/** A Gitea error answer: `{message, url}`. */
export function giteaError(status: number, message: string): [number, unknown] {
  return [status, { message, url: `${GITEA.url}/api/swagger` }];
}

/** The label objects Gitea shows on a PR for these ids (unknown ids are a problem). */
function labelsById(mock: GiteaMock, labelIds: unknown): Array<{ id: number; name: string }> {
  const names = new Map([...mock.labelIds].map(([name, id]) => [id, name]));
  return (Array.isArray(labelIds) ? labelIds : []).map((id: unknown) => {
    const name = names.get(Number(id));
    if (name === undefined) mock.problems.push(`label id ${String(id)} does not exist`);
    return { id: Number(id), name: name ?? `#${String(id)}` };
  });
}

/** GET /repos/{o}/{r}/pulls?state=…&limit=50&page=1: one page, with X-Total-Count. */
export function mockListPulls(mock: GiteaMock, pulls: PullFixture[], state: 'all' | 'open' = 'all'): void {
  mock.scope
    .get(`${API}/pulls`)
    .query({ state, limit: '50', page: '1' })
    .reply(reply(mock, 'GET', () => [200, pulls.map((p) => giteaPull(p, GITEA))]));
}

/** GET /repos/{o}/{r}/labels?limit=50&page=1: these labels exist. */
export function mockListLabels(mock: GiteaMock, labels: Array<{ id: number; name: string }>): void {
  for (const label of labels) mock.labelIds.set(label.name, label.id);
  mock.scope
    .get(`${API}/labels`)
    .query({ limit: '50', page: '1' })
    .reply(reply(mock, 'GET', () => [200, labels.map((l) => giteaLabel(l.id, l.name, 'ededed', GITEA))]));
}

/** POST /repos/{o}/{r}/labels, `times` times: each answers 201 with a new id from `firstId` on. */
export function mockCreateLabels(mock: GiteaMock, times: number, firstId = 101): void {
  let next = firstId;
  mock.scope
    .post(`${API}/labels`)
    .times(times)
    .reply(
      reply(
        mock,
        'POST',
        (body) => {
          const b = record(body);
          const id = next++;
          mock.labelIds.set(String(b.name), id);
          return [201, { ...giteaLabel(id, String(b.name), String(b.color).slice(1), GITEA), description: String(b.description ?? '') }];
        },
        CreateLabelOption,
      ),
    );
}

/**
 * POST /repos/{o}/{r}/pulls for one head branch only (the body decides which interceptor
 * answers, so files may publish in any order): 201 with the PR the request describes, or
 * `answer` (e.g. Gitea's 409).
 */
export function mockCreatePullFor(mock: GiteaMock, head: string, number: number, answer?: Answer): void {
  mock.scope
    .post(`${API}/pulls`, (body: unknown) => record(body).head === head)
    .reply(
      reply(
        mock,
        'POST',
        answer ??
          ((body) => {
            const b = record(body);
            const pull: PullFixture = { number, head, base: String(b.base), title: String(b.title), body: String(b.body), labels: labelsById(mock, b.labels) };
            mock.pulls.set(number, pull);
            return [201, giteaPull(pull, GITEA)];
          }),
        CreatePullRequestOption,
      ),
    );
}

/** PATCH /repos/{o}/{r}/pulls/{n}: Gitea answers 201 with `current` changed by the request (labels replaced). */
export function mockEditPull(mock: GiteaMock, current: PullFixture): void {
  mock.scope.patch(`${API}/pulls/${current.number}`).reply(
    reply(
      mock,
      'PATCH',
      (body) => {
        const b = record(body);
        const pull: PullFixture = {
          ...current,
          ...(typeof b.title === 'string' ? { title: b.title } : {}),
          ...(typeof b.body === 'string' ? { body: b.body } : {}),
          ...(b.labels === undefined ? {} : { labels: labelsById(mock, b.labels) }),
          ...(b.state === 'closed' ? { state: 'closed' as const } : {}),
        };
        mock.pulls.set(current.number, pull);
        return [201, giteaPull(pull, GITEA)];
      },
      EditPullRequestOption,
    ),
  );
}

/** POST /repos/{o}/{r}/issues/{n}/comments: 201 with the `Comment`. */
export function mockCreateComment(mock: GiteaMock, issueNumber: number, commentId: number): void {
  mock.scope.post(`${API}/issues/${issueNumber}/comments`).reply(
    reply(
      mock,
      'POST',
      (body) => [201, { id: commentId, html_url: `${GITEA.url}/${GITEA.owner}/${GITEA.repo}/pulls/${issueNumber}#issuecomment-${commentId}`, body: record(body).body, user: { login: 'scrum-apply' } }],
      CreateIssueCommentOption,
    ),
  );
}

/** GET /repos/{o}/{r}/pulls/{base}/{head} (Gitea 1.22+): `pull`, or a 404 as an older Gitea answers. */
export function mockPullByBaseHead(mock: GiteaMock, base: string, head: string, pull: PullFixture | null): void {
  mock.scope
    .get(`${API}/pulls/${base}/${head}`)
    .reply(reply(mock, 'GET', () => (pull === null ? giteaError(404, 'The target couldn\'t be found.') : [200, giteaPull(pull, GITEA)])));
}

/** Every label the mock knows, as Gitea would list them in a later run. */
export function knownLabels(mock: GiteaMock): Array<{ id: number; name: string }> {
  return [...mock.labelIds].map(([name, id]) => ({ id, name }));
}

/** The PRs as Gitea lists them after a run, each changed by `change` (a person's doing). */
export function pullsAfter(mock: GiteaMock, change: (pull: PullFixture) => Partial<PullFixture> = () => ({})): PullFixture[] {
  return [...mock.pulls.values()].map((pull) => ({ ...pull, ...change(pull) }));
}

/** The label ids `names` have on this mock, in order. */
export function idsOf(mock: GiteaMock, names: string[]): number[] {
  return names.map((name) => mock.labelIds.get(name) ?? -1);
}
