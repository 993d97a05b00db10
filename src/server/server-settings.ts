import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { RepoConfigInput } from '../config/config-schema.js';
import { configFromEnv } from '../config/load-config.js';
import { secretsFromEnv } from '../log/redact.js';
import { checkDatabaseUrl } from '../jobs/database-url.js';
import { DEFAULT_MAX_REPO_BYTES } from '../jobs/repo-cache.js';
import type { ServerForgeKind } from '../jobs/repo-ref.js';

export interface GiteaServerSettings {
  /** Base URL without `/api/v1` or a trailing slash. */
  url: string;
  token: string;
  webhookSecret: string;
}

export interface ServerSettings {
  dataDir: string;
  llm: { url: string; apiKey?: string };
  envConfig: RepoConfigInput;
  gitBaseUrls: Record<ServerForgeKind, string>;
  maxRepoBytes: number;
  /** Jobs at once across repositories. */
  jobConcurrency: number;
  shutdownGraceMs: number;
  host: string;
  port: number;
  /** A GitHub App is configured (APP_ID with a private key and webhook secret). */
  githubApp: boolean;
  gitea: GiteaServerSettings | null;
  secrets: string[];
  /** web: receive and queue; worker: run jobs; all: both (the only role without a database). */
  role: ServerRole;
  /** PostgreSQL for the durable queue (pg-boss); null: the in-process queue. */
  databaseUrl: string | null;
  /** A running job older than this has lost its worker and is retried. */
  jobExpirySeconds: number;
}

export type ServerRole = 'web' | 'worker' | 'all';

/**
 * Long enough for a whole run: every file's check up to its timeout, plus ten minutes for the
 * clone, the model and publishing (the environment's settings, or the defaults).
 */
export function defaultJobExpirySeconds(envConfig: RepoConfigInput): number {
  const checkTimeout = envConfig.check?.timeoutSeconds ?? 900;
  const maxFiles = envConfig.maxFiles ?? 5;
  return Math.min(checkTimeout * maxFiles + 600, 23 * 3600);
}

function serverRole(env: Env, databaseUrl: string | null): ServerRole {
  const role = read(env, 'SCRUM_APPLY_ROLE') ?? 'all';
  if (role !== 'web' && role !== 'worker' && role !== 'all') throw new Error(`SCRUM_APPLY_ROLE must be web, worker or all, got ${JSON.stringify(role.slice(0, 40))}`);
  if (role !== 'all' && databaseUrl === null) {
    throw new Error(`SCRUM_APPLY_ROLE=${role} needs DATABASE_URL: separate web and worker processes share their queue in PostgreSQL`);
  }
  return role;
}

type Env = NodeJS.ProcessEnv;

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function wholeNumber(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/u.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw.slice(0, 40))}`);
  }
  return Number(raw);
}

/** An http(s) base URL without credentials, query or trailing slash. */
function baseUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} must be an http(s) URL${name === 'SCRUM_APPLY_GIT_BASE_URL' ? ' or an absolute directory' : ''}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`${name} must use http or https, not ${url.protocol}`);
  if (url.username || url.password) throw new Error(`${name} must not contain credentials`);
  if (url.search || url.hash) throw new Error(`${name} must not have a query or fragment`);
  return `${url.origin}${url.pathname}`.replace(/\/+$/u, '');
}

function gitBase(env: Env, fallback: string): string {
  const value = read(env, 'SCRUM_APPLY_GIT_BASE_URL');
  if (value === undefined) return fallback;
  return isAbsolute(value) ? resolve(value) : baseUrl('SCRUM_APPLY_GIT_BASE_URL', value);
}

function giteaSettings(env: Env): GiteaServerSettings | null {
  const url = read(env, 'GITEA_URL');
  const secretSet = env.GITEA_WEBHOOK_SECRET !== undefined;
  if (url === undefined && !secretSet) return null;
  if (url === undefined) throw new Error('GITEA_WEBHOOK_SECRET is set but GITEA_URL is not: set the Gitea server\'s base URL');
  const webhookSecret = env.GITEA_WEBHOOK_SECRET ?? '';
  if (webhookSecret.trim() === '') {
    throw new Error('GITEA_WEBHOOK_SECRET is empty or missing: set it to the secret of the Gitea webhook (anyone could sign requests without one)');
  }
  const token = read(env, 'GITEA_TOKEN');
  if (token === undefined) throw new Error('GITEA_TOKEN is not set: a Gitea token of the bot account (repository admin, to read permissions)');
  return { url: baseUrl('GITEA_URL', url).replace(/\/api\/v1$/u, ''), token, webhookSecret };
}

function githubApp(env: Env): boolean {
  if (read(env, 'APP_ID') === undefined) return false;
  if (read(env, 'PRIVATE_KEY') === undefined && read(env, 'PRIVATE_KEY_PATH') === undefined) {
    throw new Error('APP_ID is set but neither PRIVATE_KEY nor PRIVATE_KEY_PATH is: the GitHub App needs its private key');
  }
  if (read(env, 'WEBHOOK_SECRET') === undefined) {
    throw new Error('APP_ID is set but WEBHOOK_SECRET is not: set it to the GitHub App\'s webhook secret');
  }
  return true;
}

/**
 * The server's settings, checked before it starts: a missing secret or model URL stops the
 * start with a one-line reason instead of failing on the first comment.
 */
export function serverSettingsFromEnv(env: Env, options: { requireForge?: boolean } = {}): ServerSettings {
  const llmUrl = read(env, 'SCRUM_APPLY_LLM_URL');
  if (llmUrl === undefined) throw new Error('SCRUM_APPLY_LLM_URL is not set: the patch model every run of this server uses');
  const gitea = giteaSettings(env);
  const github = githubApp(env);
  if ((options.requireForge ?? true) && !github && gitea === null) {
    throw new Error('nothing to serve: configure a GitHub App (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET) and/or Gitea (GITEA_URL, GITEA_TOKEN, GITEA_WEBHOOK_SECRET)');
  }
  const gheHost = read(env, 'GHE_HOST');
  const githubWeb = gheHost ? `${read(env, 'GHE_PROTOCOL') ?? 'https'}://${gheHost}` : 'https://github.com';
  const apiKey = read(env, 'SCRUM_APPLY_LLM_KEY');
  const databaseUrl = read(env, 'DATABASE_URL');
  const envConfig = configFromEnv(env).config;
  return {
    dataDir: resolve(read(env, 'SCRUM_APPLY_DATA_DIR') ?? join(tmpdir(), 'scrum-apply')),
    llm: { url: baseUrl('SCRUM_APPLY_LLM_URL', llmUrl), ...(apiKey ? { apiKey } : {}) },
    envConfig,
    gitBaseUrls: { github: gitBase(env, githubWeb), gitea: gitBase(env, gitea?.url ?? '') },
    maxRepoBytes: wholeNumber(env, 'SCRUM_APPLY_MAX_REPO_BYTES', DEFAULT_MAX_REPO_BYTES, 1024 * 1024, Number.MAX_SAFE_INTEGER),
    jobConcurrency: wholeNumber(env, 'SCRUM_APPLY_JOBS', 2, 1, 16),
    // Below `docker stop`'s 10 s, so an unfinished job is still audited as interrupted before
    // the kill; raise it together with the platform's grace period.
    shutdownGraceMs: wholeNumber(env, 'SCRUM_APPLY_SHUTDOWN_GRACE_SECONDS', 8, 0, 3600) * 1000,
    // A webhook server, usually in a container: reachable unless told otherwise (Probot's
    // `localhost` default suits development only).
    host: read(env, 'HOST') ?? '0.0.0.0',
    port: wholeNumber(env, 'PORT', 3000, 0, 65535),
    githubApp: github,
    gitea,
    secrets: secretsFromEnv(env),
    role: serverRole(env, databaseUrl === undefined ? null : databaseUrl),
    databaseUrl: databaseUrl === undefined ? null : checkDatabaseUrl(databaseUrl),
    jobExpirySeconds: wholeNumber(env, 'SCRUM_APPLY_JOB_EXPIRY_SECONDS', defaultJobExpirySeconds(envConfig), 30, 23 * 3600),
  };
}
