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
  it('asks for issue_comment and issues (boxes ticked on the dashboard) only', () => {
    const manifest: unknown = YAML.parse(readFileSync(join(import.meta.dirname, '../../app.yml'), 'utf8'));
    expect(manifest).toMatchObject({
      name: 'scrum-apply',
      default_events: ['issue_comment', 'issues'],
    });
    expect(manifest).toHaveProperty('url');
    expect(manifest).toHaveProperty('description');
  });

  it('asks for exactly the permissions of the endpoints the GitHub forge calls, plus contents for the push', () => {
    // The fine-grained permission GitHub documents for each route (on a pull request, the
    // issue routes are also covered by pull_requests; on an issue, only by issues).
    const permissionOf: Record<string, [string, 'read' | 'write']> = {
      'GET /repos/{owner}/{repo}/pulls': ['pull_requests', 'read'],
      'POST /repos/{owner}/{repo}/pulls': ['pull_requests', 'write'],
      'PATCH /repos/{owner}/{repo}/pulls/{pull_number}': ['pull_requests', 'write'],
      'POST /repos/{owner}/{repo}/issues/{issue_number}/labels': ['issues', 'write'],
      'PUT /repos/{owner}/{repo}/issues/{issue_number}/labels': ['issues', 'write'],
      'DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels': ['issues', 'write'],
      'GET /repos/{owner}/{repo}/labels': ['issues', 'read'],
      'POST /repos/{owner}/{repo}/labels': ['issues', 'write'],
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': ['issues', 'write'],
      'POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions': ['issues', 'write'],
      'GET /repos/{owner}/{repo}/collaborators/{username}/permission': ['metadata', 'read'],
      'GET /repos/{owner}/{repo}': ['metadata', 'read'],
    };
    const source = readFileSync(join(import.meta.dirname, '../../src/forge/github/github-api.ts'), 'utf8');
    const routes = [...source.matchAll(/octokit\.(?:request|paginate)\('([A-Z]+ [^']+)'/g)].map((m) => m[1] ?? '');
    expect(routes.filter((route) => !(route in permissionOf))).toEqual([]);
    const needed: Record<string, string> = { contents: 'write' };
    for (const route of routes) {
      const [name, level] = permissionOf[route] ?? ['', 'read'];
      if (needed[name] !== 'write') needed[name] = level;
    }
    const manifest: unknown = YAML.parse(readFileSync(join(import.meta.dirname, '../../app.yml'), 'utf8'));
    expect(manifest).toHaveProperty('default_permissions', needed);
  });
});
