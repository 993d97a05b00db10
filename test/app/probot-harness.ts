import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import { Probot, ProbotOctokit } from 'probot';
import type { RunOptions, RunReport } from '../../src/pipeline/run-types.js';
import type { AuditRow } from '../../src/report/audit-row.js';
import { createApp } from '../../src/server/create-app.js';
import { createServerRuntime, type ServerRuntime } from '../../src/server/create-runtime.js';
import { serverSettingsFromEnv } from '../../src/server/server-settings.js';
import type { FixtureRepo } from '../helpers/fixture-repo.js';
import { captureLogger, createGitHubMock, TOKEN, type GitHubMock } from '../helpers/github-mocks.js';
import { fakeReport, githubCommentPayload, servedFixture, type CommentOptions } from './app-fixtures.js';

/**
 * Probot's test pattern, `ProbotOctokit.defaults({ retry/throttle: { enabled: false } })`, is
 * undone by the throttle options Probot adds when it builds its Octokit class (writes then
 * wait 1–3 s each). A defaults *function* runs after Probot's and keeps both off.
 */
export const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { enabled: false },
}));

export interface AppHarness {
  probot: Probot;
  runtime: ServerRuntime;
  repo: FixtureRepo;
  dataDir: string;
  mock: GitHubMock;
  /** Requests nock had no interceptor for (each one a test failure). */
  unmatched: string[];
  lines: string[];
  pipelineCalls: RunOptions[];
  /** What the stand-in pipeline does (default: answer fakeReport() at once). */
  pipeline: (options: RunOptions) => Promise<RunReport>;
  receive(comment: CommentOptions, deliveryId?: string): Promise<void>;
  cloneDir: string;
  auditRows(): AuditRow[];
  close(): void;
}

let deliveries = 0;

/**
 * The app in Probot's own test pattern: `new Probot({ githubToken, Octokit })`, `load`,
 * `receive`, GitHub mocked with nock (contract-checked by github-mocks); behind it the real
 * queue, job runner and clone cache on a fixture repository, with a stand-in pipeline.
 */
export async function createAppHarness(): Promise<AppHarness> {
  nock.disableNetConnect();
  const unmatched: string[] = [];
  nock.emitter.on('no match', (req: { method?: string; path?: string; href?: string }) => {
    unmatched.push(`${req.method ?? '?'} ${req.href ?? req.path ?? '?'}`);
  });
  const { repo, base } = servedFixture();
  const dataDir = join(repo.root, 'data');
  const { logger, lines } = captureLogger([TOKEN]);
  const settings = serverSettingsFromEnv(
    { SCRUM_APPLY_LLM_URL: 'http://127.0.0.1:9/v1', SCRUM_APPLY_DATA_DIR: dataDir, SCRUM_APPLY_GIT_BASE_URL: base },
    { requireForge: false },
  );
  const harness: AppHarness = {
    probot: new Probot({ githubToken: TOKEN, Octokit: TestOctokit, log: logger }),
    runtime: createServerRuntime(settings, {
      logger,
      runPipeline: (options) => {
        harness.pipelineCalls.push(options);
        return harness.pipeline(options);
      },
    }),
    repo,
    dataDir,
    mock: createGitHubMock(),
    unmatched,
    lines,
    pipelineCalls: [],
    pipeline: async () => fakeReport(),
    cloneDir: join(dataDir, 'repos', 'github', 'acme', 'widgets'),
    receive: (comment, deliveryId) =>
      harness.probot.receive({
        name: 'issue_comment',
        id: deliveryId ?? `delivery-${(deliveries += 1)}`,
        // Probot's receive takes the typed event union; the example payload is plain JSON.
        payload: githubCommentPayload(comment) as never,
      }),
    auditRows() {
      const path = join(dataDir, 'audit', 'github', 'acme', 'widgets.jsonl');
      if (!existsSync(path)) return [];
      return readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as AuditRow);
    },
    close() {
      nock.emitter.removeAllListeners('no match');
      nock.cleanAll();
      nock.enableNetConnect();
      repo.cleanup();
    },
  };
  await harness.probot.load(createApp(harness.runtime), { cwd: process.cwd(), addHandler: () => undefined });
  return harness;
}

/** The bodies of the comments the app posted. */
export function postedComments(mock: GitHubMock): string[] {
  return mock.requests
    .filter((r) => r.method === 'POST' && /\/issues\/\d+\/comments$/.test(r.path))
    .map((r) => {
      const body: unknown = r.body;
      return typeof body === 'object' && body !== null && 'body' in body ? String(body.body) : '';
    });
}

export function reactions(mock: GitHubMock): string[] {
  return mock.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/reactions')).map((r) => r.path);
}
