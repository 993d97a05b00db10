import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunOptions } from '../../src/pipeline/run-types.js';
import { git } from '../helpers/fixture-repo.js';
import { mockCreateComment, mockGetRepo, mockPermission, mockReaction, TOKEN } from '../helpers/github-mocks.js';
import { mockNewDashboardOptionally, sentDashboardBody } from '../helpers/dashboard-mocks.js';
import { deferred, fakeReport } from './app-fixtures.js';
import { createAppHarness, postedComments, reactions, type AppHarness } from './probot-harness.js';

let h: AppHarness | null = null;
afterEach(() => {
  h?.close();
  h = null;
});

const ISSUE = 7;
const COMMENT = 4242;

function permission(level: string, role = level) {
  return { payload: { permission: level, role_name: role, user: { login: 'octocat' } } };
}

/** The requests of an accepted command: permission, 👀, default branch, one reply. */
function mockAccepted(harness: AppHarness, level = 'write', role = level): void {
  mockPermission(harness.mock, 'octocat', permission(level, role));
  mockReaction(harness.mock, COMMENT);
  mockGetRepo(harness.mock);
  mockCreateComment(harness.mock, ISSUE, 900);
  // An applied run reads and writes the dashboard issue (tested below).
  mockNewDashboardOptionally(harness.mock);
}

function onlyCall(harness: AppHarness): RunOptions {
  expect(harness.pipelineCalls).toHaveLength(1);
  const call = harness.pipelineCalls[0];
  if (!call) throw new Error('the pipeline was not called');
  return call;
}

function expectNothingElse(harness: AppHarness): void {
  harness.mock.done();
  expect(harness.unmatched).toEqual([]);
}

describe('the /scrum-apply comment on GitHub', () => {
  it.each([
    ['write', 'write'],
    ['write', 'maintain'],
    ['admin', 'admin'],
  ])('runs for a user with %s (%s) permission: 👀, the pipeline, one reply with the table', async (level, role) => {
    h = await createAppHarness();
    mockAccepted(h, level, role);
    await h.receive({ body: '/scrum-apply max-files=2 crates/geometry/src/shapes.rs', commentId: COMMENT, issueNumber: ISSUE });
    await h.runtime.service.onIdle();

    expect(reactions(h.mock)).toEqual([`/repos/acme/widgets/issues/comments/${COMMENT}/reactions`]);
    expect(h.mock.requests.find((r) => r.path.endsWith('/reactions'))?.body).toEqual({ content: 'eyes' });
    const call = onlyCall(h);
    expect(call).toMatchObject({
      repoDir: h.cloneDir,
      apply: true,
      only: ['crates/geometry/src/shapes.rs'],
      force: false,
      trigger: 'comment',
      actor: 'octocat',
      auditLogPath: join(h.dataDir, 'audit', 'github', 'acme', 'widgets.jsonl'),
      scratchRoot: join(h.dataDir, 'scratch'),
      gitAuth: { username: 'x-access-token', token: TOKEN },
      llm: { url: 'http://127.0.0.1:9/v1' },
    });
    expect(call.forge?.kind).toBe('github');
    expect(call.config.maxFiles).toBe(2);
    // The clone is the default branch's tip, and the check will run sandboxed.
    expect(git(h.cloneDir, 'rev-parse', 'HEAD').trim()).toBe(git(h.repo.dir, 'rev-parse', 'HEAD').trim());
    expect(call.config.check.sandbox).toBe('bwrap');

    const replies = postedComments(h.mock);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain('scrum-apply results for `/scrum-apply max-files=2 crates/geometry/src/shapes.rs` (requested by octocat)');
    expect(replies[0]).toContain('| `crates/geometry/src/shapes.rs` | PR opened | [#12](https://github.com/acme/widgets/pull/12) |');
    expectNothingElse(h);
  });

  it('an applied comment run writes the dashboard issue, with the "Run scrum-apply now" box (the App listens for it)', async () => {
    h = await createAppHarness();
    mockAccepted(h);
    await h.receive({ body: '/scrum-apply', commentId: COMMENT, issueNumber: ISSUE });
    await h.runtime.service.onIdle();
    expectNothingElse(h);
    const get = h.mock.requests.filter((r) => r.method === 'GET').map((r) => r.path);
    expect(get).toContain('/repos/acme/widgets/issues?labels=scrum-apply&state=all&per_page=100');
    const body = sentDashboardBody(h.mock.requests) ?? '';
    expect(body).toContain('- [ ] <!-- scrum-apply:run-now --> Run scrum-apply now');
    expect(body).toContain('rebuild `crates/geometry/src/shapes.rs` — [#12](https://github.com/acme/widgets/pull/12)');
    expect(body).toMatch(/^Last run: .* \(comment by `octocat`\)/mu);
  });

  it('passes dry-run and force through', async () => {
    h = await createAppHarness();
    mockAccepted(h);
    await h.receive({ body: '/scrum-apply dry-run force', commentId: COMMENT, issueNumber: ISSUE });
    await h.runtime.service.onIdle();
    expect(onlyCall(h)).toMatchObject({ apply: false, force: true, only: [] });
    expect(onlyCall(h).config.maxFiles).toBe(5);
    expectNothingElse(h);
  });

  it.each([
    ['read-only', { reply: permission('read'), expected: /yours is `read`/ }],
    ['triage', { reply: permission('read', 'triage'), expected: /yours is `triage`/ }],
    ['not a collaborator (404)', { reply: { status: 404, payload: { message: 'Not Found' } }, expected: /yours is `none`/ }],
    ['unknown: the permission API fails (500)', { reply: { status: 500, payload: { message: 'Server Error' } }, expected: /could not confirm your permission/ }],
  ])('refuses a %s user politely, and nothing is cloned or run', async (_who, { reply, expected }) => {
    h = await createAppHarness();
    mockPermission(h.mock, 'octocat', reply);
    mockCreateComment(h.mock, ISSUE, 900);
    await h.receive({ body: '/scrum-apply', commentId: COMMENT, issueNumber: ISSUE });
    await h.runtime.service.onIdle();

    const replies = postedComments(h.mock);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatch(/^scrum-apply: sorry, I can only run for maintainers/);
    expect(replies[0]).toMatch(expected);
    expect(reactions(h.mock)).toEqual([]);
    expect(h.pipelineCalls).toEqual([]);
    expect(existsSync(join(h.dataDir, 'repos'))).toBe(false);
    expectNothingElse(h);
  });

  it.each([
    ['a bot account', { login: 'renovate[bot]', userType: 'Bot' as const }],
    ['the app itself', { login: 'scrum-apply[bot]', userType: 'Bot' as const }],
    ['a user typed Bot', { login: 'robot', userType: 'Bot' as const }],
  ])('ignores commands from %s without a single API call', async (_who, author) => {
    h = await createAppHarness();
    await h.receive({ body: '/scrum-apply', ...author });
    await h.runtime.service.onIdle();
    expect(h.pipelineCalls).toEqual([]);
    expect(h.mock.requests).toEqual([]);
    expectNothingElse(h);
  });

  it.each(['edited', 'deleted'] as const)('ignores a comment that was %s', async (action) => {
    h = await createAppHarness();
    await h.receive({ body: '/scrum-apply', action });
    await h.runtime.service.onIdle();
    expect(h.pipelineCalls).toEqual([]);
    expect(h.mock.requests).toEqual([]);
    expectNothingElse(h);
  });

  it('ignores comments that only mention the command', async () => {
    h = await createAppHarness();
    await h.receive({ body: 'Could someone run\n/scrum-apply dry-run\nplease?' });
    await h.receive({ body: '> /scrum-apply\nthat did not work' });
    await h.runtime.service.onIdle();
    expect(h.mock.requests).toEqual([]);
    expectNothingElse(h);
  });

  it('answers an invalid command with the grammar, without asking for permission', async () => {
    h = await createAppHarness();
    mockCreateComment(h.mock, ISSUE, 900);
    await h.receive({ body: '/scrum-apply --all max-files=abc', issueNumber: ISSUE });
    await h.runtime.service.onIdle();
    const replies = postedComments(h.mock);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain('scrum-apply did not understand this command: unknown option `--all`.');
    expect(replies[0]).toContain('`/scrum-apply [dry-run] [force] [max-files=N] [path ...]`');
    expect(h.pipelineCalls).toEqual([]);
    expectNothingElse(h);
  });

  it('runs a redelivered webhook only once', async () => {
    h = await createAppHarness();
    mockAccepted(h);
    await h.receive({ body: '/scrum-apply', commentId: COMMENT, issueNumber: ISSUE }, 'same-delivery');
    await h.receive({ body: '/scrum-apply', commentId: COMMENT, issueNumber: ISSUE }, 'same-delivery');
    await h.runtime.service.onIdle();
    await h.receive({ body: '/scrum-apply', commentId: COMMENT, issueNumber: ISSUE }, 'same-delivery');
    await h.runtime.service.onIdle();
    expect(h.pipelineCalls).toHaveLength(1);
    expect(postedComments(h.mock)).toHaveLength(1);
    expectNothingElse(h);
  });

  it('answers before the job finishes, and a second identical command meanwhile does not run twice', async () => {
    h = await createAppHarness();
    const release = deferred<void>();
    const started = deferred<void>();
    h.pipeline = async () => {
      started.resolve();
      await release.promise;
      return fakeReport();
    };
    mockAccepted(h);
    // the second comment: permission, 👀, and a reply saying it is already queued
    mockPermission(h.mock, 'octocat', permission('write'));
    mockReaction(h.mock, COMMENT + 1);
    mockCreateComment(h.mock, ISSUE, 901);

    await h.receive({ body: '/scrum-apply dry-run', commentId: COMMENT, issueNumber: ISSUE });
    await started.promise;
    // The webhook handler has returned while the run is still going: no results yet.
    expect(postedComments(h.mock)).toEqual([]);
    expect(h.runtime.service.stats()).toEqual({ queued: 0, running: 1 });

    await h.receive({ body: '  /scrum-apply  dry-run ', commentId: COMMENT + 1, issueNumber: ISSUE });
    expect(postedComments(h.mock)).toEqual([expect.stringMatching(/already queued or running/)]);

    release.resolve();
    await h.runtime.service.onIdle();
    expect(h.pipelineCalls).toHaveLength(1);
    expect(postedComments(h.mock)).toHaveLength(2);
    expect(postedComments(h.mock)[1]).toContain('scrum-apply results');
    expectNothingElse(h);
  });

  it('answers an invalid .github/scrum-apply.yml with the key, and runs nothing', async () => {
    h = await createAppHarness();
    h.repo.write('.github/scrum-apply.yml', 'maxFiles: lots\ncheck:\n  sandbox: none\n');
    h.repo.commitAll('config');
    mockAccepted(h);
    await h.receive({ body: '/scrum-apply', commentId: COMMENT, issueNumber: ISSUE });
    await h.runtime.service.onIdle();
    const replies = postedComments(h.mock);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain("scrum-apply did not run: the repository's configuration is invalid.");
    expect(replies[0]).toMatch(/Invalid config in \.github\/scrum-apply\.yml: maxFiles: expected number/);
    expect(h.pipelineCalls).toEqual([]);
    expectNothingElse(h);
  });

  it('refuses check.sandbox: none unless check.allowUnsandboxed is set too', async () => {
    h = await createAppHarness();
    h.repo.write('.github/scrum-apply.yml', 'check:\n  sandbox: none\n');
    h.repo.commitAll('no sandbox');
    mockAccepted(h);
    await h.receive({ body: '/scrum-apply', commentId: COMMENT, issueNumber: ISSUE });
    await h.runtime.service.onIdle();
    expect(postedComments(h.mock)).toEqual([expect.stringMatching(/did not run: check\.sandbox is "none".*check\.allowUnsandboxed: true/)]);
    expect(h.pipelineCalls).toEqual([]);

    h.repo.write('.github/scrum-apply.yml', 'check:\n  sandbox: none\n  allowUnsandboxed: true\n');
    h.repo.commitAll('opt out twice');
    mockAccepted(h);
    await h.receive({ body: '/scrum-apply', commentId: COMMENT, issueNumber: ISSUE });
    await h.runtime.service.onIdle();
    expect(onlyCall(h).config.check.sandbox).toBe('none');
    expectNothingElse(h);
  });

  it('refuses a review log outside the repository', async () => {
    h = await createAppHarness();
    h.repo.write('.github/scrum-apply.yml', 'reviews: ../../../etc/passwd\n');
    h.repo.commitAll('escape');
    mockAccepted(h);
    await h.receive({ body: '/scrum-apply', commentId: COMMENT, issueNumber: ISSUE });
    await h.runtime.service.onIdle();
    expect(postedComments(h.mock)).toEqual([expect.stringMatching(/reviews must be a path inside the repository/)]);
    expect(h.pipelineCalls).toEqual([]);
    expectNothingElse(h);
  });

  it('reports a failed run in one redacted line, and audits it', async () => {
    h = await createAppHarness();
    h.pipeline = async () => {
      const error = new Error(`push to https://x-access-token:${TOKEN}@github.com/acme/widgets.git failed\n    at stack (file.ts:1:1)`);
      throw error;
    };
    mockAccepted(h);
    await h.receive({ body: '/scrum-apply', commentId: COMMENT, issueNumber: ISSUE });
    await h.runtime.service.onIdle();
    const replies = postedComments(h.mock);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatch(/^scrum-apply could not finish this run: push to https:\/\/\[REDACTED\]@?github\.com/);
    expect(replies[0]).not.toContain(TOKEN);
    expect(replies[0]).not.toContain('\n    at ');
    expect(h.auditRows()).toEqual([expect.objectContaining({ action: 'error', trigger: 'comment', actor: 'octocat', file: '' })]);
    expect(JSON.stringify(h.auditRows())).not.toContain(TOKEN);
    expect(h.lines.join('')).not.toContain(TOKEN);
    expectNothingElse(h);
  });

  it('shuts down gracefully: a job that finishes in time is not interrupted', async () => {
    h = await createAppHarness();
    const release = deferred<void>();
    const started = deferred<void>();
    h.pipeline = async () => {
      started.resolve();
      await release.promise;
      return fakeReport();
    };
    mockAccepted(h);
    await h.receive({ body: '/scrum-apply', commentId: COMMENT, issueNumber: ISSUE });
    await started.promise;
    const shutdown = h.runtime.service.shutdown(5_000);
    // The job finishes after the shutdown began, well within its grace.
    release.resolve();
    expect(await shutdown).toEqual([]);
    await h.runtime.service.onIdle();
    expect(postedComments(h.mock)).toEqual([expect.stringContaining('scrum-apply results')]);
    expect(h.auditRows()).toEqual([]);
    expectNothingElse(h);
  });

  it('shuts down gracefully: a job past the deadline is aborted and audited as interrupted', async () => {
    h = await createAppHarness();
    const started = deferred<void>();
    h.pipeline = (options) =>
      new Promise((_resolve, reject) => {
        started.resolve();
        options.signal?.addEventListener('abort', () => reject(new Error('aborted')));
      });
    mockAccepted(h);
    await h.receive({ body: '/scrum-apply', commentId: COMMENT, issueNumber: ISSUE });
    await started.promise;
    // A second command for the same repository waits its turn behind the first.
    mockPermission(h.mock, 'octocat', permission('write'));
    mockReaction(h.mock, COMMENT + 1);
    mockCreateComment(h.mock, ISSUE, 901);
    await h.receive({ body: '/scrum-apply dry-run', commentId: COMMENT + 1, issueNumber: ISSUE });
    expect(h.runtime.service.stats()).toEqual({ queued: 1, running: 1 });

    const interrupted = await h.runtime.service.shutdown(50);
    expect(interrupted).toHaveLength(2);
    expect(interrupted).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ started: false, meta: expect.objectContaining({ command: expect.objectContaining({ dryRun: true }) }) }),
        expect.objectContaining({ started: true, meta: expect.objectContaining({ command: expect.objectContaining({ dryRun: false }) }) }),
      ]),
    );
    await h.runtime.service.onIdle();
    expect(h.auditRows()).toEqual([
      expect.objectContaining({ action: 'error', error: 'interrupted by shutdown', actor: 'octocat', dry_run: true }),
      expect.objectContaining({ action: 'error', error: 'interrupted by shutdown', actor: 'octocat', dry_run: false }),
    ]);
    const replies = postedComments(h.mock);
    expect(replies).toHaveLength(2);
    expect(replies).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/the server shut down before the run finished/),
        expect.stringMatching(/the server shut down before this command ran/),
      ]),
    );
    // Nothing new is accepted.
    mockPermission(h.mock, 'octocat', permission('write'));
    mockReaction(h.mock, COMMENT + 5);
    mockCreateComment(h.mock, ISSUE, 902);
    await h.receive({ body: '/scrum-apply force', commentId: COMMENT + 5, issueNumber: ISSUE });
    expect(postedComments(h.mock).at(-1)).toMatch(/shutting down/);
    expect(h.pipelineCalls).toHaveLength(1);
    expectNothingElse(h);
  });
});
