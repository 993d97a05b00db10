import { describe, expect, it } from 'vitest';
import { Probot } from 'probot';
import { createApp, type AppDeps } from '../../src/server/create-app.js';
import { createLogger } from '../../src/log/logger.js';
import type { CommandService } from '../../src/server/command-service.js';

/** The app's /healthz: mounted under `npm start` (Probot's server), not again under scrum-apply-server. */
describe('createApp /healthz', () => {
  const service = { stats: () => ({ queued: 0, running: 0 }), durable: false } as unknown as CommandService;
  const deps = (extra: Partial<AppDeps>): AppDeps => ({
    service,
    connectors: { register: () => undefined },
    logger: createLogger({ level: 'silent', redact: (text: string) => text }),
    redact: (text: string) => text,
    receives: false,
    ...extra,
  });

  async function mounted(extra: Partial<AppDeps>): Promise<number> {
    let handlers = 0;
    const probot = new Probot({ githubToken: 'test-token' });
    await probot.load(createApp(deps(extra)), { cwd: process.cwd(), addHandler: () => void (handlers += 1) });
    return handlers;
  }

  it('mounts /healthz once when Probot serves the app (npm start)', async () => {
    expect(await mounted({})).toBe(1);
  });

  it('mounts nothing when scrum-apply-server serves /healthz itself', async () => {
    expect(await mounted({ healthz: false })).toBe(0);
  });
});
