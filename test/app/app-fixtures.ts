import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { z } from 'zod';
import type { RunReport } from '../../src/pipeline/run-types.js';
import type { AuditRow } from '../../src/report/audit-row.js';
import { createFixtureRepo, type FixtureRepo } from '../helpers/fixture-repo.js';

export function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const Example = z.object({ action: z.string(), installation: z.object({ id: z.number() }).optional() }).passthrough();
const Definition = z.object({ name: z.string(), examples: z.array(z.unknown()) });

/** GitHub's own `issue_comment` `created` example (the one with an installation) from @octokit/webhooks-examples. */
function githubExample(): Record<string, unknown> {
  const path = createRequire(import.meta.url).resolve('@octokit/webhooks-examples');
  const definitions = z.array(Definition).parse(JSON.parse(readFileSync(path, 'utf8')));
  const examples = z.array(Example).parse(definitions.find((d) => d.name === 'issue_comment')?.examples ?? []);
  const example = examples.find((e) => e.action === 'created' && e.installation);
  if (!example) throw new Error('no issue_comment created example with an installation in @octokit/webhooks-examples');
  return structuredClone(example);
}

export interface CommentOptions {
  body: string;
  login?: string;
  userType?: 'User' | 'Bot';
  action?: 'created' | 'edited' | 'deleted';
  commentId?: number;
  issueNumber?: number;
  owner?: string;
  repo?: string;
  installationId?: number;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : {};
}

/** The example adapted: our repository, comment text, author and ids. */
export function githubCommentPayload(options: CommentOptions): Record<string, unknown> {
  const payload = githubExample();
  const login = options.login ?? 'octocat';
  const user = { ...record(record(payload.comment).user), login, type: options.userType ?? 'User' };
  const owner = options.owner ?? 'acme';
  const repo = options.repo ?? 'widgets';
  const repository = record(payload.repository);
  return {
    ...payload,
    action: options.action ?? 'created',
    issue: { ...record(payload.issue), number: options.issueNumber ?? 7 },
    comment: { ...record(payload.comment), id: options.commentId ?? 4242, body: options.body, user },
    repository: { ...repository, name: repo, full_name: `${owner}/${repo}`, owner: { ...record(repository.owner), login: owner } },
    sender: user,
    installation: { id: options.installationId ?? 1 },
  };
}

/** Gitea 1.21's `issue_comment` payload (test/fixtures/webhooks/gitea-issue-comment.json), adapted. */
export function giteaCommentPayload(options: CommentOptions): Record<string, unknown> {
  const fixture = record(JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/webhooks/gitea-issue-comment.json'), 'utf8')));
  const login = options.login ?? 'maintainer';
  const owner = options.owner ?? 'acme';
  const repo = options.repo ?? 'widgets';
  const user = { ...record(fixture.sender), login, username: login };
  const repository = record(fixture.repository);
  return {
    ...fixture,
    action: options.action ?? 'created',
    issue: { ...record(fixture.issue), number: options.issueNumber ?? 7 },
    comment: { ...record(fixture.comment), id: options.commentId ?? 4242, body: options.body, user },
    repository: { ...repository, name: repo, full_name: `${owner}/${repo}`, owner: { ...record(repository.owner), login: owner, username: owner } },
    sender: user,
  };
}

/** A fixture repository whose bare origin sits at `<root>/srv/<owner>/<repo>.git`: a SCRUM_APPLY_GIT_BASE_URL directory. */
export function servedFixture(options: { owner?: string; repo?: string; extraFiles?: Record<string, string> } = {}): { repo: FixtureRepo; base: string } {
  const repo = createFixtureRepo({ prefix: 'scrum-apply-app-', ...(options.extraFiles ? { extraFiles: options.extraFiles } : {}) });
  const base = join(repo.root, 'srv');
  mkdirSync(join(base, options.owner ?? 'acme'), { recursive: true });
  symlinkSync(repo.origin, join(base, options.owner ?? 'acme', `${options.repo ?? 'widgets'}.git`));
  return { repo, base };
}

/** A finished run with one PR opened, as runPipeline reports it. */
export function fakeReport(overrides: Partial<RunReport> = {}): RunReport {
  const file = 'crates/geometry/src/shapes.rs';
  const row: AuditRow = {
    ts: '2026-11-21T10:00:00.000Z',
    run_id: 'run-1',
    trigger: 'comment',
    actor: 'octocat',
    file,
    action: 'pr_opened',
    dry_run: false,
    review: { model: 'kimi-k2:1t', confidence_avg: 95, confidence_min: 90, tier: 'auto', reviewed_at: '2026-11-21T09:00:00Z' },
    patch_model: 'qwen3-coder:480b',
    patches_applied: [{ rationale: 'typo', confidence: 95, lines: 1 }],
    patches_rejected: [],
    check: { command: 'cargo check --workspace', exit_code: 0, duration_ms: 1200, green: true, timed_out: false },
    branch: `scrum-apply/${file}`,
    head_sha: 'b'.repeat(40),
    pr: { number: 12, url: 'https://github.com/acme/widgets/pull/12' },
    reason: null,
    error: null,
  };
  return {
    runId: 'run-1',
    dryRun: false,
    forge: 'github',
    baseBranch: 'main',
    baseSha: 'a'.repeat(40),
    results: [{ file, action: 'pr_opened', reason: null, pr: row.pr, branch: row.branch, row }],
    skipped: [],
    notProcessed: [],
    reviewRows: 3,
    malformedLines: 0,
    problems: [],
    durationMs: 1500,
    ...overrides,
  };
}
