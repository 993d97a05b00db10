import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Probot } from 'probot';
import { afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import app from '../../src/index.js';
import { captureLogger, TOKEN } from '../helpers/github-mocks.js';
import { TestOctokit } from './probot-harness.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

const saved = { ...process.env };
let server: Server | null = null;
let dir: string | null = null;
afterEach(async () => {
  process.env = { ...saved };
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

describe('the Probot entry (probot run ./dist/index.js)', () => {
  it('registers the app with /healthz and, when Gitea is configured, its webhook, and listens for SIGTERM', async () => {
    dir = mkdtempSync(join(tmpdir(), 'scrum-apply-entry-'));
    process.env.SCRUM_APPLY_LLM_URL = 'http://127.0.0.1:9/v1';
    process.env.SCRUM_APPLY_DATA_DIR = dir;
    process.env.GITEA_URL = 'https://gitea.example.test';
    process.env.GITEA_TOKEN = 'gitea-token-entry';
    process.env.GITEA_WEBHOOK_SECRET = 'entry-secret';
    const handlers: Handler[] = [];
    const before = process.listeners('SIGTERM');
    const probot = new Probot({ githubToken: TOKEN, Octokit: TestOctokit, log: captureLogger().logger });
    await probot.load(app, { cwd: process.cwd(), addHandler: (handler) => void handlers.push(handler) });
    const added = process.listeners('SIGTERM').filter((l) => !before.includes(l));
    for (const listener of added) process.removeListener('SIGTERM', listener);
    expect(added).toHaveLength(1);

    server = createServer((req, res) => {
      void (async () => {
        for (const handler of handlers) if ((await handler(req, res)) === true) return;
        res.writeHead(404).end();
      })();
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const health = await fetch(`${url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok', jobs: { queued: 0, running: 0 } });
    const unsigned = await fetch(`${url}/api/gitea/webhook`, { method: 'POST', body: '{}', headers: { 'x-gitea-event': 'issue_comment' } });
    expect(unsigned.status).toBe(401);
    expect((await fetch(`${url}/elsewhere`)).status).toBe(404);
  });

  it('stops with a clear reason when the environment is incomplete', async () => {
    delete process.env.SCRUM_APPLY_LLM_URL;
    const probot = new Probot({ githubToken: TOKEN, Octokit: TestOctokit, log: captureLogger().logger });
    await expect(probot.load(app, { cwd: process.cwd(), addHandler: () => undefined })).rejects.toThrow(/SCRUM_APPLY_LLM_URL is not set/);
  });
});

describe('app.yml', () => {
  it('asks for issue_comment only, with the permissions the bot uses', () => {
    const manifest: unknown = YAML.parse(readFileSync(join(import.meta.dirname, '../../app.yml'), 'utf8'));
    expect(manifest).toMatchObject({
      name: 'scrum-apply',
      default_events: ['issue_comment'],
      default_permissions: { contents: 'write', pull_requests: 'write', issues: 'write', checks: 'write', metadata: 'read' },
    });
    expect(manifest).toHaveProperty('url');
    expect(manifest).toHaveProperty('description');
  });
});
