import type { ApplicationFunction } from 'probot';
import { z } from 'zod';
import { createGitHubForge } from '../forge/github/github-forge.js';
import type { Logger } from '../log/logger.js';
import type { Redactor } from '../log/redact.js';
import type { JobConnectors } from '../jobs/job-connectors.js';
import type { CommandService } from './command-service.js';
import { issueEditEvent } from './dashboard-edit-event.js';
import { githubCommentEvent } from './github-comment-event.js';
import { createHealthzHandler } from './healthz.js';

export interface AppDeps {
  service: CommandService;
  connectors: Pick<JobConnectors, 'register'>;
  logger: Logger;
  redact: Redactor;
  /** False: a worker (SCRUM_APPLY_ROLE=worker) — it connects to GitHub for jobs but takes no webhooks. */
  receives?: boolean;
  /** False when the caller serves `/healthz` itself (scrum-apply-server mounts Probot as one route among its own). */
  healthz?: boolean;
}

/** What `octokit.auth({ type: 'installation' })` answers (a token auth answers the same shape). */
const InstallationAuth = z.object({ token: z.string().min(1) });

/**
 * The Probot app: `issue_comment.created` (edited and deleted comments are not even
 * subscribed to), mapped onto the forge-neutral command handler; `issues.edited` for boxes
 * ticked on the dashboard issue; plus `GET /healthz` when Probot runs an HTTP server.
 */
export function createApp(deps: AppDeps): ApplicationFunction {
  return (app, options) => {
    // A worker rebuilds a job's forge from its installation id, with a fresh installation
    // token (they live an hour; a queue may be long).
    deps.connectors.register('github', async (job) => {
      if (job.installationId === null) throw new Error('the job names no GitHub App installation');
      const octokit = await app.auth(job.installationId);
      const forge = createGitHubForge({ octokit, owner: job.ref.owner, repo: job.ref.repo, logger: deps.logger, redact: deps.redact });
      const auth = InstallationAuth.parse(await octokit.auth({ type: 'installation' }));
      return { forge, gitAuth: { username: 'x-access-token', token: auth.token } };
    });

    // A worker (SCRUM_APPLY_ROLE=worker) connects to GitHub for its jobs but takes no webhooks.
    if (deps.receives === false) deps.logger.info('worker role: webhooks are not handled here');
    else app.on('issue_comment.created', async (context) => {
      const parsed = githubCommentEvent(context.id, context.payload);
      if (!parsed.ok) {
        deps.logger.warn({ delivery: context.id, reason: parsed.reason }, 'webhook ignored');
        return;
      }
      if (parsed.action !== 'created') return;
      const { event } = parsed;
      const forge = createGitHubForge({
        octokit: context.octokit,
        owner: event.ref.owner,
        repo: event.ref.repo,
        logger: deps.logger,
        redact: deps.redact,
      });
      await deps.service.handle(event, forge);
    });

    // Boxes ticked on the dashboard issue (an edit of its body).
    if (deps.receives !== false) app.on('issues.edited', async (context) => {
      const parsed = issueEditEvent('github', context.id, context.payload);
      if (!parsed.ok) {
        deps.logger.warn({ delivery: context.id, reason: parsed.reason }, 'webhook ignored');
        return;
      }
      const { event } = parsed;
      const forge = createGitHubForge({ octokit: context.octokit, owner: event.ref.owner, repo: event.ref.repo, logger: deps.logger, redact: deps.redact });
      await deps.service.handleDashboardEdit(event, forge);
    });

    if (deps.healthz === false) return;
    try {
      options.addHandler(createHealthzHandler(() => deps.service.stats(), deps.service.durable ? () => deps.service.health() : undefined));
    } catch (error) {
      // probot.load() without a server (tests, serverless) has nowhere to mount routes.
      deps.logger.debug({ err: error instanceof Error ? error.message : String(error) }, 'no HTTP server: /healthz not mounted');
    }
  };
}
