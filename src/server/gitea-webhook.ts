import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FetchLike } from '../forge/gitea/gitea-client.js';
import { createGiteaForge } from '../forge/gitea/gitea-forge.js';
import type { Logger } from '../log/logger.js';
import { describeError, type Redactor } from '../log/redact.js';
import type { JobConnectors } from '../jobs/job-connectors.js';
import type { CommandService } from './command-service.js';
import { issueEditEvent } from './dashboard-edit-event.js';
import { giteaCommentEvent } from './gitea-comment-event.js';
import { readBody } from './read-body.js';
import type { GiteaServerSettings } from './server-settings.js';
import { verifyGiteaSignature } from './verify-gitea-signature.js';

const GITEA_WEBHOOK_PATH = '/api/gitea/webhook';
/** Gitea's comment payloads are a few kilobytes; this leaves room for long comments. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

export interface GiteaWebhookOptions {
  settings: GiteaServerSettings;
  service: CommandService;
  connectors: Pick<JobConnectors, 'register'>;
  logger: Logger;
  redact: Redactor;
  fetch?: FetchLike;
}

function answer(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ message }));
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * `POST /api/gitea/webhook`: the signature is checked over the raw bytes before anything
 * is parsed (401 otherwise); only `issue_comment` deliveries with `action: created` go on,
 * to the same command handling as GitHub's, and `issues` deliveries with `action: edited`, to
 * the dashboard's box handling. The handler matches its own path and returns
 * true when it answered (Probot's handler convention), so both servers — `probot run` and
 * `scrum-apply-server` — mount it as it is.
 */
export function createGiteaWebhookHandler(options: GiteaWebhookOptions) {
  const handle = createDeliveryHandler(options);
  return async function giteaWebhook(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if ((req.url ?? '').split('?')[0] !== GITEA_WEBHOOK_PATH) return false;
    await handle(req, res);
    return true;
  };
}

function createDeliveryHandler(options: GiteaWebhookOptions) {
  const { settings } = options;
  const log = options.logger.child({ forge: 'gitea' });
  const forgeFor = (owner: string, repo: string) =>
    createGiteaForge({
      url: settings.url,
      token: settings.token,
      owner,
      repo,
      logger: options.logger,
      redact: options.redact,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  // A worker rebuilds a job's forge from this server's own settings, never from the job.
  options.connectors.register('gitea', async (job) => {
    if (job.serverUrl !== settings.url) throw new Error(`the job came from Gitea at ${job.serverUrl ?? '(unknown)'}, this worker serves ${settings.url}`);
    return { forge: forgeFor(job.ref.owner, job.ref.repo), gitAuth: { username: 'scrum-apply', token: settings.token } };
  });

  /** An `issues` delivery: only `edited` goes on, to the dashboard's box handling. */
  async function dashboardEdit(res: ServerResponse, deliveryId: string, payload: unknown): Promise<void> {
    const parsed = issueEditEvent('gitea', deliveryId, payload);
    if (!parsed.ok) {
      log.warn({ delivery: deliveryId, reason: parsed.reason }, 'Gitea webhook ignored');
      return answer(res, 400, parsed.reason);
    }
    if (parsed.action !== 'edited') return answer(res, 202, `action ${parsed.action} ignored`);
    const event = { ...parsed.event, serverUrl: settings.url };
    try {
      const outcome = await options.service.handleDashboardEdit(event, forgeFor(event.ref.owner, event.ref.repo));
      return answer(res, 200, outcome.type);
    } catch (error) {
      log.error({ delivery: deliveryId, err: describeError(error, options.redact) }, 'Gitea webhook failed');
      return answer(res, 500, 'internal error');
    }
  }

  return async function giteaDelivery(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return answer(res, 405, 'POST only');
    const body = await readBody(req, MAX_BODY_BYTES);
    if (!body.ok) return answer(res, body.reason === 'too-large' ? 413 : 400, body.reason === 'too-large' ? 'payload too large' : 'request aborted');
    if (!verifyGiteaSignature(settings.webhookSecret, body.body, header(req, 'x-gitea-signature'))) {
      log.warn({ delivery: header(req, 'x-gitea-delivery') }, 'Gitea webhook with a bad signature refused');
      return answer(res, 401, 'bad signature');
    }
    const deliveryId = header(req, 'x-gitea-delivery');
    if (!deliveryId) return answer(res, 400, 'X-Gitea-Delivery is missing');
    const eventName = header(req, 'x-gitea-event');
    if (eventName !== 'issue_comment' && eventName !== 'issues') return answer(res, 202, `event ${eventName ?? '(none)'} ignored`);

    let payload: unknown;
    try {
      payload = JSON.parse(body.body.toString('utf8'));
    } catch {
      // Signed but not JSON: the sender is told; the parser's message would quote the body.
      log.warn({ delivery: deliveryId, reason: 'the body is not JSON' }, 'Gitea webhook ignored');
      return answer(res, 400, 'the body is not JSON');
    }
    if (eventName === 'issues') return dashboardEdit(res, deliveryId, payload);
    const parsed = giteaCommentEvent(deliveryId, payload);
    if (!parsed.ok) {
      log.warn({ delivery: deliveryId, reason: parsed.reason }, 'Gitea webhook ignored');
      return answer(res, 400, parsed.reason);
    }
    if (parsed.action !== 'created') return answer(res, 202, `action ${parsed.action} ignored`);

    const event = { ...parsed.event, serverUrl: settings.url };
    try {
      const outcome = await options.service.handle(event, forgeFor(event.ref.owner, event.ref.repo));
      return answer(res, 200, outcome.type);
    } catch (error) {
      log.error({ delivery: deliveryId, err: describeError(error, options.redact) }, 'Gitea webhook failed');
      return answer(res, 500, 'internal error');
    }
  };
}
