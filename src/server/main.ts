#!/usr/bin/env node
import { createRedactor, describeError, secretsFromEnv } from '../log/redact.js';
import { startServer } from './start-server.js';

/*
 * `scrum-apply-server`: the webhook server for GitHub and/or Gitea. A Gitea-only deployment
 * needs no GitHub App credentials. SIGTERM/SIGINT shut it down gracefully.
 */
try {
  const server = await startServer(process.env);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.logger.error({ err: describeError(error, createRedactor(secretsFromEnv(process.env))) }, 'graceful shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
} catch (error) {
  process.stderr.write(`scrum-apply-server: cannot start: ${describeError(error, createRedactor(secretsFromEnv(process.env)))}\n`);
  process.exit(1);
}
