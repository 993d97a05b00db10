import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeMiddleware, createProbot, type ProbotOctokit } from 'probot';
import type { FetchLike } from '../forge/gitea/gitea-client.js';
import type { Logger } from '../log/logger.js';
import type { CommandService } from './command-service.js';
import { createApp } from './create-app.js';
import { openServerRuntime, type RuntimeDeps } from './create-runtime.js';
import { createGiteaWebhookHandler } from './gitea-webhook.js';
import { createHealthzHandler } from './healthz.js';
import { serverSettingsFromEnv } from './server-settings.js';

export interface ServerDeps extends RuntimeDeps {
  /** Probot's Octokit class (tests turn retries and throttling off). */
  Octokit?: typeof ProbotOctokit;
  /** Gitea's HTTP client (default: global fetch). */
  fetch?: FetchLike;
}

export interface RunningServer {
  url: string;
  service: CommandService;
  logger: Logger;
  /** Graceful shutdown: stop accepting, let running jobs finish (bounded), audit the rest. */
  close(): Promise<void>;
}

type Route = (req: IncomingMessage, res: ServerResponse) => Promise<boolean> | boolean;

/**
 * The webhook server: GitHub (Probot's middleware, only when a GitHub App is configured),
 * Gitea at `/api/gitea/webhook` (only when Gitea is configured), and `/healthz`. Settings
 * are checked first; a missing secret or an unusable DATABASE_URL stops the start with a
 * one-line reason. A worker (SCRUM_APPLY_ROLE=worker) serves `/healthz` only: it connects
 * to the forges for its jobs but takes no webhooks.
 */
export async function startServer(env: NodeJS.ProcessEnv, deps: ServerDeps = {}): Promise<RunningServer> {
  const settings = serverSettingsFromEnv(env);
  const { service, connectors, logger, redact, receives } = await openServerRuntime(settings, deps);
  const routes: Route[] = [createHealthzHandler(() => service.stats(), service.durable ? () => service.health() : undefined)];

  if (settings.gitea) {
    // Created in every role: it registers how a worker connects to Gitea.
    const gitea = createGiteaWebhookHandler({ settings: settings.gitea, service, connectors, logger, redact, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
    if (receives) routes.push(gitea);
  }
  if (settings.githubApp) {
    const probot = createProbot({ env, overrides: { log: logger.child({ component: 'probot' }), ...(deps.Octokit ? { Octokit: deps.Octokit } : {}) } });
    const middleware = await createNodeMiddleware(createApp({ service, connectors, logger, redact, receives, healthz: false }), { probot });
    if (receives) routes.push(async (req, res) => (await middleware(req, res)) === true);
  }

  let closing = false;
  const server = createServer((req, res) => {
    void (async () => {
      if (closing && req.method === 'POST') {
        res.writeHead(503, { 'retry-after': '60' }).end();
        return;
      }
      for (const route of routes) if (await route(req, res)) return;
      res.writeHead(404).end();
    })().catch((error: unknown) => {
      logger.error({ err: error instanceof Error ? redact(error.message) : 'unknown' }, 'request failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  logger.info(
    { url, role: settings.role, queue: service.durable ? 'pg-boss' : 'in-process', github: settings.githubApp, gitea: settings.gitea !== null, dataDir: settings.dataDir },
    'scrum-apply server listening',
  );

  return {
    url,
    service,
    logger,
    async close() {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const interrupted = await service.shutdown(settings.shutdownGraceMs);
      logger.info({ interrupted: interrupted.length }, 'scrum-apply server stopped');
      server.closeAllConnections();
      await stopped;
    },
  };
}
