import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

/**
 * A tiny in-memory GitHub REST API on 127.0.0.1 with just the endpoints the GitHub forge
 * calls during a run (pulls: list, create, update; labels: list, create; issue labels: add,
 * set, remove; the dashboard issue: list, create, edit). It counts requests, so the benchmark
 * can report API writes per PR (the dashboard's writes counted apart); anything else is
 * answered 404 and counted as unexpected.
 */
export interface LocalGitHub {
  /** GITHUB_API_URL for the bot. */
  url: string;
  /** GITHUB_REPOSITORY for the bot. */
  repository: string;
  counts(): { reads: number; writes: number; dashboardWrites: number; unexpected: string[] };
  pulls(): LocalPull[];
  /** The issues (the dashboard) as they stand. */
  issues(): LocalIssue[];
  close(): Promise<void>;
}

export interface LocalPull {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  draft: boolean;
  state: 'open' | 'closed';
  labels: string[];
  /** ISO 8601, from the server's clock when the PR was opened. */
  createdAt: string;
}

export interface LocalIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
}

const NewIssue = z.object({ title: z.string(), body: z.string().optional(), labels: z.array(z.string()).optional() });
const IssueUpdate = z.object({ body: z.string() });
const NewPull = z.object({ title: z.string(), head: z.string(), base: z.string(), body: z.string().optional(), draft: z.boolean().optional() });
const PullUpdate = z.object({ title: z.string().optional(), body: z.string().optional() });
const Labels = z.object({ labels: z.array(z.string()) });
const NewLabel = z.object({ name: z.string().min(1), color: z.string(), description: z.string().optional() });

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

export async function startLocalGitHub(options: {
  owner: string;
  repo: string;
  /** The clock new PRs get their `created_at` from (default: the real one). */
  now?: () => Date;
}): Promise<LocalGitHub> {
  const { owner, repo } = options;
  const full = `${owner}/${repo}`;
  const pulls: LocalPull[] = [];
  const labels = new Map<string, { name: string; color: string }>();
  const issues: LocalIssue[] = [];
  // Issues and pull requests share one sequence of numbers, as on GitHub.
  let lastNumber = 0;
  const counts = { reads: 0, writes: 0, dashboardWrites: 0, unexpected: [] as string[] };
  const issuePayload = (issue: LocalIssue) => ({ ...issue, html_url: `https://github.example/${full}/issues/${issue.number}`, labels: issue.labels.map((name) => ({ name })) });
  let baseUrl = '';

  const pullPayload = (pull: LocalPull) => ({
    number: pull.number,
    html_url: `https://github.example/${full}/pull/${pull.number}`,
    state: pull.state,
    merged_at: null,
    created_at: pull.createdAt,
    draft: pull.draft,
    title: pull.title,
    body: pull.body,
    head: { ref: pull.head, repo: { full_name: full } },
    base: { ref: pull.base },
    labels: pull.labels.map((name) => ({ name })),
  });
  const labelsOf = (pull: LocalPull) => pull.labels.map((name) => ({ name, color: labels.get(name.toLowerCase())?.color ?? 'ededed' }));
  const findPull = (number: string) => pulls.find((p) => p.number === Number(number));
  const invalid = (message: string, code = 'invalid'): Reply => ({ status: 422, body: { message: 'Validation Failed', errors: [{ code, message }] } });

  function page<T>(items: T[], url: URL): Reply {
    const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30) || 30);
    const number = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const slice = items.slice((number - 1) * perPage, number * perPage);
    if (number * perPage >= items.length) return { status: 200, body: slice };
    const next = new URL(url.href);
    next.searchParams.set('page', String(number + 1));
    return { status: 200, body: slice, headers: { link: `<${baseUrl}${next.pathname}${next.search}>; rel="next"` } };
  }

  function route(method: string, url: URL, body: unknown): Reply | null {
    const prefix = `/repos/${full}`;
    if (!url.pathname.startsWith(`${prefix}/`)) return null;
    const path = url.pathname.slice(prefix.length);
    let match: RegExpExecArray | null;
    if (path === '/pulls' && method === 'GET') return page(pulls.map(pullPayload), url);
    if (path === '/pulls' && method === 'POST') {
      const input = NewPull.safeParse(body);
      if (!input.success) return invalid('bad pull request');
      if (pulls.some((p) => p.state === 'open' && p.head === input.data.head && p.base === input.data.base)) {
        return invalid(`A pull request already exists for ${owner}:${input.data.head}.`, 'custom');
      }
      const createdAt = (options.now ?? (() => new Date()))().toISOString();
      const pull: LocalPull = { number: (lastNumber += 1), body: '', draft: false, state: 'open', labels: [], createdAt, ...input.data };
      pulls.push(pull);
      return { status: 201, body: pullPayload(pull) };
    }
    if ((match = /^\/pulls\/(\d+)$/.exec(path)) && method === 'PATCH') {
      const pull = findPull(match[1] ?? '');
      const update = PullUpdate.safeParse(body);
      if (!pull) return { status: 404, body: { message: 'Not Found' } };
      if (!update.success) return invalid('bad update');
      Object.assign(pull, update.data);
      return { status: 200, body: pullPayload(pull) };
    }
    if ((match = /^\/issues\/(\d+)\/labels$/.exec(path))) {
      const pull = findPull(match[1] ?? '');
      if (!pull) return { status: 404, body: { message: 'Not Found' } };
      if (method === 'DELETE') {
        pull.labels = [];
        return { status: 204 };
      }
      const input = Labels.safeParse(body);
      if (!input.success || (method !== 'POST' && method !== 'PUT')) return invalid('bad labels');
      for (const name of input.data.labels) {
        if (!labels.has(name.toLowerCase())) labels.set(name.toLowerCase(), { name, color: 'ededed' });
      }
      const keep = method === 'POST' ? pull.labels : [];
      pull.labels = [...new Set([...keep, ...input.data.labels])];
      return { status: 200, body: labelsOf(pull) };
    }
    if (path === '/issues' && method === 'GET') {
      const label = url.searchParams.get('labels');
      return page(issues.filter((issue) => label === null || issue.labels.includes(label)).reverse().map(issuePayload), url);
    }
    if (path === '/issues' && method === 'POST') {
      const input = NewIssue.safeParse(body);
      if (!input.success) return invalid('bad issue');
      const issue: LocalIssue = { number: (lastNumber += 1), title: input.data.title, body: input.data.body ?? '', state: 'open', labels: input.data.labels ?? [] };
      issues.push(issue);
      return { status: 201, body: issuePayload(issue) };
    }
    if ((match = /^\/issues\/(\d+)$/.exec(path)) && method === 'PATCH') {
      const issue = issues.find((i) => i.number === Number(match?.[1]));
      const update = IssueUpdate.safeParse(body);
      if (!issue) return { status: 404, body: { message: 'Not Found' } };
      if (!update.success) return invalid('bad update');
      issue.body = update.data.body;
      return { status: 200, body: issuePayload(issue) };
    }
    if (path === '/labels' && method === 'GET') return page([...labels.values()], url);
    if (path === '/labels' && method === 'POST') {
      const input = NewLabel.safeParse(body);
      if (!input.success) return invalid('bad label');
      if (labels.has(input.data.name.toLowerCase())) return invalid('already exists', 'already_exists');
      labels.set(input.data.name.toLowerCase(), { name: input.data.name, color: input.data.color });
      return { status: 201, body: input.data };
    }
    return null;
  }

  function handle(req: IncomingMessage, res: ServerResponse, raw: Buffer): void {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (method === 'GET') counts.reads += 1;
    else if (/\/issues(\/\d+)?$/u.test(url.pathname)) counts.dashboardWrites += 1;
    else counts.writes += 1;
    let body: unknown = null;
    try {
      body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : null;
    } catch {
      body = null;
    }
    const reply = route(method, url, body);
    if (reply === null) counts.unexpected.push(`${method} ${url.pathname}`);
    const { status, body: payload, headers } = reply ?? { status: 404, body: { message: 'Not Found' } };
    res.writeHead(status, { ...(payload === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }), ...headers });
    res.end(payload === undefined ? undefined : JSON.stringify(payload));
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the local GitHub API has no TCP address');
  baseUrl = `http://127.0.0.1:${(address satisfies AddressInfo).port}`;
  return {
    url: baseUrl,
    repository: full,
    counts: () => ({ ...counts, unexpected: [...counts.unexpected] }),
    pulls: () => pulls.map((p) => ({ ...p, labels: [...p.labels] })),
    issues: () => issues.map((i) => ({ ...i, labels: [...i.labels] })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
