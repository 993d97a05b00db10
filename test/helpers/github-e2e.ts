import { randomBytes } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import { startLlmStandIn, type LlmStandIn } from '../../tools/demo/llm-stand-in.js';
import { DEMO_EXAMPLES, recordedAnswers } from '../../tools/demo/recorded-answers.js';
import type { AuditRow } from '../../src/report/audit-row.js';
import { baseEnv, readAudit, runCliCaptured, type CliOutcome } from './cli-harness.js';
import { createFixtureRepo, type FixtureRepo } from './fixture-repo.js';
import { varyAnswer } from './varying-model.js';
import {
  createGitHubMock,
  pullPayload,
  respond,
  type GitHubMock,
  type GitHubTarget,
  type PullFixture,
  type RecordedRequest,
  type Reply,
} from './github-mocks.js';

/**
 * The whole CLI (`scrum-apply run --apply --forge github`) against a real repository with a
 * local bare origin, the LLM stand-in on 127.0.0.1 and GitHub's API mocked with nock; every
 * mocked request is checked against the contract by github-mocks.
 */

export const SHAPES = 'crates/geometry/src/shapes.rs';
export const FORMAT = 'crates/report/src/format.rs';
export const RED = 'crates/report/src/lib.rs';
export const REJECTED = 'crates/geometry/src/units.rs';
export const NO_PATCHES = 'crates/geometry/src/lib.rs';

export const branchOf = (file: string): string => `scrum-apply/${file}`;

/** `ghs_` and 36 random letters and digits: the shape of a GitHub App installation token. */
export function randomToken(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return `ghs_${[...randomBytes(36)].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

export interface E2eRig {
  repo: FixtureRepo;
  llm: LlmStandIn;
  target: GitHubTarget;
  auditPath: string;
  dataDir: string;
  /** Answer the patch model gives for `file` from now on (instead of the recorded one). */
  answer(file: string, content: string): void;
  /** A fresh contract-checked GitHub mock for the next run. */
  newMock(): GitHubMock;
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** `scrum-apply run --apply --forge github --audit-log … ...extra` in the work tree. */
  run(extraArgs?: string[], extraEnv?: NodeJS.ProcessEnv): Promise<CliOutcome>;
  /** The audit rows of the latest run, by file. */
  lastRun(): Map<string, AuditRow>;
  /** Append a newer review of `file` to the review log: its latest row a day later, with `change` on top. */
  newerReview(file: string, change?: Record<string, unknown>): void;
  close(): Promise<void>;
}

export async function createE2eRig(
  options: {
    extraFiles?: Record<string, string>;
    reviews?: boolean;
    /** A model that words every answer differently and, for these files, picks other equivalent patches (varying-model.ts). */
    varying?: { shuffled: string[] };
  } = {},
): Promise<E2eRig> {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  const repo = createFixtureRepo({ prefix: 'scrum-apply-gh-e2e-', extraFiles: options.extraFiles });
  if (options.reviews !== false) {
    mkdirSync(join(repo.dir, 'data/_kb'), { recursive: true });
    cpSync(join(DEMO_EXAMPLES, 'scrum_reviews.jsonl'), join(repo.dir, 'data/_kb/scrum_reviews.jsonl'));
  }
  const recorded = recordedAnswers();
  const overrides = new Map<string, string>();
  let calls = 0;
  const llm = await startLlmStandIn((request) => {
    const file = [...overrides.keys()].sort((a, b) => b.length - a.length).find((f) => request.prompt.includes(f));
    const reply = file === undefined ? recorded(request.prompt) : { content: overrides.get(file) ?? '' };
    if (options.varying === undefined) return reply;
    calls += 1;
    return varyAnswer(reply, calls, options.varying.shuffled.some((f) => request.prompt.includes(f)));
  });
  const target: GitHubTarget = { api: 'https://api.github.test', owner: 'octo', repo: 'demo', token: randomToken() };
  const auditPath = join(repo.root, 'audit.jsonl');
  const dataDir = join(repo.root, 'data');
  const env = (extra: NodeJS.ProcessEnv = {}) =>
    baseEnv({
      SCRUM_APPLY_LLM_URL: llm.url,
      SCRUM_APPLY_DATA_DIR: dataDir,
      GITHUB_TOKEN: target.token,
      GITHUB_REPOSITORY: `${target.owner}/${target.repo}`,
      GITHUB_API_URL: target.api,
      SCRUM_APPLY_GITHUB_WRITE_SPACING: 'off',
      ...extra,
    });
  return {
    repo,
    llm,
    target,
    auditPath,
    dataDir,
    answer: (file, content) => void overrides.set(file, content),
    newMock: () => createGitHubMock(target),
    env,
    run: (extraArgs = [], extraEnv = {}) =>
      runCliCaptured(['run', '--apply', '--forge', 'github', '--audit-log', auditPath, ...extraArgs], repo.dir, env(extraEnv)),
    newerReview(file, change = {}) {
      const path = join(repo.dir, 'data/_kb/scrum_reviews.jsonl');
      const rows = readFileSync(path, 'utf8')
        .split('\n')
        .filter((line) => line.trim().startsWith('{'))
        .map((line) => record(JSON.parse(line)))
        .filter((row) => row.file === file);
      const latest = rows.sort((a, b) => Date.parse(String(a.reviewed_at)) - Date.parse(String(b.reviewed_at))).at(-1);
      if (latest === undefined) throw new Error(`no review of ${file}`);
      const later = new Date(Date.parse(String(latest.reviewed_at)) + 24 * 3600 * 1000).toISOString();
      appendFileSync(path, `${JSON.stringify({ ...latest, reviewed_at: later, ...change })}\n`);
    },
    lastRun() {
      const rows = readAudit(auditPath);
      const runId = rows.at(-1)?.run_id;
      return new Map(rows.filter((r) => r.run_id === runId).map((r) => [r.file, r]));
    },
    async close() {
      nock.cleanAll();
      nock.enableNetConnect();
      await llm.close();
      repo.cleanup();
    },
  };
}

export interface MockOptions {
  reply?: Reply;
  /** How many requests this answers (a 5xx retried by Octokit is several). */
  times?: number;
  /** May go unused (which of two files publishes first is up to the checks). */
  optional?: boolean;
}

/**
 * POST /repos/{o}/{r}/pulls for one head branch only (the body decides which interceptor
 * answers, so files may publish in any order); answers with the PR the request describes.
 */
export function mockCreatePullFor(mock: GitHubMock, head: string, number: number, options: MockOptions = {}): void {
  const payload =
    options.reply?.payload ??
    ((body: unknown) => {
      const b = record(body);
      return pullPayload({ number, head, base: String(b.base), title: String(b.title), body: String(b.body) }, mock.target);
    });
  const interceptor = mock.scope.post(`${mock.repoPath}/pulls`, (body: unknown) => record(body).head === head).times(options.times ?? 1);
  if (options.optional === true) interceptor.optionally();
  interceptor.reply(respond(mock, 'POST', { ...options.reply, payload }, 201));
}

/** POST /repos/{o}/{r}/issues/{n}/labels that may go unused; answers with the labels sent. */
export function mockAddLabelsOptionally(mock: GitHubMock, number: number): void {
  mock.scope
    .post(`${mock.repoPath}/issues/${number}/labels`)
    .optionally()
    .reply(respond(mock, 'POST', { payload: (body: unknown) => asStrings(record(body).labels).map((name, i) => ({ id: i + 1, name, color: 'ededed' })) }, 200));
}

/** The requests that change something, without the label creations (amortised over a run). */
export function prWrites(mock: GitHubMock): RecordedRequest[] {
  return mock.writes().filter((r) => !(r.method === 'POST' && r.path === `${mock.repoPath}/labels`));
}

/** Writes per PR number: POST /pulls (by the head's PR number) and everything under /pulls/{n} or /issues/{n}. */
export function writesPerPr(mock: GitHubMock, numberOfHead: (head: string) => number): Map<number, RecordedRequest[]> {
  const byPr = new Map<number, RecordedRequest[]>();
  for (const request of prWrites(mock)) {
    const path = request.path.slice(mock.repoPath.length);
    const match = /^\/(?:pulls|issues)\/(\d+)(?:\/|$)/.exec(path);
    const number = match?.[1] !== undefined ? Number(match[1]) : numberOfHead(String(record(request.body).head));
    byPr.set(number, [...(byPr.get(number) ?? []), request]);
  }
  return byPr;
}

/**
 * The bot's PRs as GitHub lists them after a run: what the run's POST /pulls sent, with the
 * labels it added. `numberOfHead` maps a head branch to the number the mock gave it.
 */
export function pullsAfter(
  mock: GitHubMock,
  numberOfHead: (head: string) => number,
  change: (pull: { number: number; head: string; labels: string[] }) => Partial<PullFixture> = () => ({}),
): Array<Record<string, unknown>> {
  const opened = mock.requests.filter((r) => r.method === 'POST' && r.path === `${mock.repoPath}/pulls`);
  return opened.map((request) => {
    const b = record(request.body);
    const head = String(b.head);
    const number = numberOfHead(head);
    const labelled = mock.requests.find((r) => r.method === 'POST' && r.path === `${mock.repoPath}/issues/${number}/labels`);
    const labels = asStrings(record(labelled?.body).labels);
    return pullPayload(
      { number, head, base: String(b.base), title: String(b.title), body: String(b.body), labels, ...change({ number, head, labels }) },
      mock.target,
    );
  });
}

export function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : {};
}

export function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}
