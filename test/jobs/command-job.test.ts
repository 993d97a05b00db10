import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChatForge, Forge } from '../../src/forge/types.js';
import type { CommandJob } from '../../src/jobs/command-job.js';
import { createJobConnectors } from '../../src/jobs/job-connectors.js';
import { createInProcessQueue } from '../../src/jobs/in-process-queue.js';
import { parseCommand } from '../../src/jobs/parse-command.js';
import { parseQueuedJob } from '../../src/jobs/queued-job.js';
import { createRedactor } from '../../src/log/redact.js';
import { createCommandService } from '../../src/server/command-service.js';
import type { CommentEvent } from '../../src/server/handle-command.js';
import { deferred } from '../app/app-fixtures.js';
import { captureLogger } from '../helpers/github-mocks.js';
import { fakeForge } from '../helpers/publish-fixtures.js';

const TOKEN = 'ghs_receivertoken0123456789';

/** The receiving side's forge: it holds a token, and may answer the commenter. */
function receivingForge(): Forge & ChatForge & { comments: string[]; token: string } {
  const comments: string[] = [];
  return {
    ...fakeForge(),
    comments,
    token: TOKEN,
    getPermission: async () => 'write',
    createComment: async (_issue, body) => {
      comments.push(body);
      return { id: 1, url: 'https://forge.test/c/1' };
    },
    reactToComment: async () => undefined,
    defaultBranch: async () => 'main',
  };
}

const EVENT: CommentEvent = {
  ref: { forge: 'github', owner: 'acme', repo: 'widgets' },
  issueNumber: 12,
  commentId: 345,
  body: '/scrum-apply dry-run src/lib.rs',
  author: 'maintainer',
  authorIsBot: false,
  deliveryId: 'delivery-1',
  installationId: 678,
  serverUrl: null,
};

describe('a queued command is data', () => {
  it('holds the repository, installation, command, actor, issue, comment and delivery — no forge, no token', async () => {
    const { logger } = captureLogger([]);
    const queue = createInProcessQueue({ concurrency: 1, logger, redact: createRedactor([]) });
    const ran = deferred<CommandJob>();
    const service = createCommandService({
      runJob: async (job) => ran.resolve(job),
      connect: async () => {
        throw new Error('not needed');
      },
      dataDir: mkdtempSync(join(tmpdir(), 'scrum-apply-job-data-')),
      logger,
      redact: createRedactor([]),
      queue,
    });
    expect(await service.handle(EVENT, receivingForge())).toEqual({ type: 'queued' });
    const job = await ran.promise;
    // A plain value: it survives a round trip through JSON (a database row, a message) unchanged.
    expect(JSON.parse(JSON.stringify(job))).toEqual(job);
    expect(JSON.stringify(job)).not.toContain(TOKEN);
    expect(job).toEqual({
      ref: EVENT.ref,
      installationId: 678,
      serverUrl: null,
      command: expect.objectContaining({ dryRun: true, paths: ['src/lib.rs'] }),
      actor: 'maintainer',
      issueNumber: 12,
      commentId: 345,
      deliveryId: 'delivery-1',
    });
    await service.onIdle();
  });
});

describe('a queued dashboard job is data', () => {
  const job: CommandJob = {
    ref: { forge: 'github', owner: 'acme', repo: 'widgets' },
    installationId: 678,
    serverUrl: null,
    command: { type: 'command', dryRun: false, force: false, paths: [] },
    actor: 'maintainer',
    issueNumber: 3,
    commentId: 0,
    deliveryId: 'edit-1',
    actions: [{ type: 'retry', file: 'src/red.rs' }, { type: 'rebuild', file: 'src/a.rs' }, { type: 'allow', file: 'src/b.rs' }, { type: 'retry-red' }, { type: 'run-now' }],
  };

  it('carries the ticked boxes through a database row unchanged, and a comment job none', () => {
    expect(parseQueuedJob(JSON.parse(JSON.stringify(job)))).toEqual(job);
    const { actions: _none, ...comment } = job;
    expect(parseQueuedJob(JSON.parse(JSON.stringify(comment)))).toEqual(comment);
  });

  it('refuses a row whose actions are not ours', () => {
    expect(() => parseQueuedJob({ ...job, actions: [{ type: 'retry' }] })).toThrow();
    expect(() => parseQueuedJob({ ...job, actions: [{ type: 'delete-everything', file: 'x' }] })).toThrow();
  });
});

function dryRun(): CommandJob['command'] {
  const parsed = parseCommand('/scrum-apply dry-run');
  if (parsed.type !== 'command') throw new Error('the test command does not parse');
  return parsed;
}

describe('job connectors', () => {
  const job: CommandJob = {
    ref: { forge: 'gitea', owner: 'acme', repo: 'widgets' },
    installationId: null,
    serverUrl: 'https://gitea.test',
    command: dryRun(),
    actor: 'maintainer',
    issueNumber: 1,
    commentId: 2,
    deliveryId: 'd',
  };

  it('rebuild the forge from the worker’s own settings, per forge kind', async () => {
    const connectors = createJobConnectors();
    const forge = receivingForge();
    connectors.register('gitea', async (j) => ({ forge, gitAuth: { username: 'scrum-apply', token: `for ${j.ref.repo}` } }));
    const connection = await connectors.connect(job);
    expect(connection.forge).toBe(forge);
    expect(connection.gitAuth).toEqual({ username: 'scrum-apply', token: 'for widgets' });
  });

  it('refuse a job for a forge this worker is not set up for, saying which', async () => {
    const connectors = createJobConnectors();
    connectors.register('github', async () => {
      throw new Error('unreachable');
    });
    await expect(connectors.connect(job)).rejects.toThrow('this worker is not set up for gitea');
  });
});
