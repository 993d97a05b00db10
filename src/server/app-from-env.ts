import type { ApplicationFunction } from 'probot';
import { describeError } from '../log/redact.js';
import { createApp } from './create-app.js';
import { openServerRuntime } from './create-runtime.js';
import { createGiteaWebhookHandler } from './gitea-webhook.js';
import { serverSettingsFromEnv } from './server-settings.js';

/**
 * The app as `probot run ./dist/index.js` loads it: settings from the environment (Probot
 * itself reads APP_ID, PRIVATE_KEY and WEBHOOK_SECRET), Gitea's webhook mounted too when it
 * is configured, and SIGTERM letting the running job finish before the process exits. With
 * DATABASE_URL the queue is pg-boss and SCRUM_APPLY_ROLE picks web, worker or all.
 */
export const appFromEnv: ApplicationFunction = async (app, options) => {
  const settings = serverSettingsFromEnv(process.env, { requireForge: false });
  const runtime = await openServerRuntime(settings);
  if (settings.gitea) {
    // Created in every role: it registers how a worker connects to Gitea.
    const gitea = createGiteaWebhookHandler({ settings: settings.gitea, ...runtime });
    if (runtime.receives) options.addHandler(gitea);
  }
  process.once('SIGTERM', () => {
    runtime.logger.info('SIGTERM: letting the running job finish');
    void runtime.service.shutdown(settings.shutdownGraceMs).then(
      () => process.exit(0),
      (error: unknown) => {
        runtime.logger.error({ err: describeError(error, runtime.redact) }, 'graceful shutdown failed');
        process.exit(1);
      },
    );
  });
  return createApp(runtime)(app, options);
};
