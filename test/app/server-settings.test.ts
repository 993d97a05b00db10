import { describe, expect, it } from 'vitest';
import { remoteUrlFor } from '../../src/jobs/repo-ref.js';
import { serverSettingsFromEnv } from '../../src/server/server-settings.js';

const LLM = { SCRUM_APPLY_LLM_URL: 'http://127.0.0.1:11434/v1' };
const GITEA = { GITEA_URL: 'https://gitea.example.test/', GITEA_TOKEN: 'tok-123456', GITEA_WEBHOOK_SECRET: 's3cret' };
const GITHUB = { APP_ID: '12', PRIVATE_KEY: '-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----', WEBHOOK_SECRET: 'wh' };

describe('serverSettingsFromEnv', () => {
  it('reads a Gitea-only deployment with defaults', () => {
    const settings = serverSettingsFromEnv({ ...LLM, ...GITEA, SCRUM_APPLY_DATA_DIR: '/srv/data' });
    expect(settings).toMatchObject({
      dataDir: '/srv/data',
      llm: { url: 'http://127.0.0.1:11434/v1' },
      githubApp: false,
      gitea: { url: 'https://gitea.example.test', token: 'tok-123456', webhookSecret: 's3cret' },
      gitBaseUrls: { github: 'https://github.com', gitea: 'https://gitea.example.test' },
      maxRepoBytes: 2 * 1024 ** 3,
      jobConcurrency: 2,
      shutdownGraceMs: 8_000,
      port: 3000,
      host: '0.0.0.0',
    });
    expect(settings.secrets).toEqual(expect.arrayContaining(['tok-123456', 's3cret']));
  });

  it('runs in process, as one role, without DATABASE_URL; with one, any role and a job expiry sized from the run', () => {
    expect(serverSettingsFromEnv({ ...LLM, ...GITEA })).toMatchObject({ role: 'all', databaseUrl: null, jobExpirySeconds: 900 * 5 + 600 });
    const durable = serverSettingsFromEnv({ ...LLM, ...GITEA, DATABASE_URL: 'postgres://scrum:db-pass-7731@db:5432/scrum', SCRUM_APPLY_ROLE: 'worker', LH_APPLIER_MAX_FILES: '2' });
    expect(durable).toMatchObject({ role: 'worker', databaseUrl: 'postgres://scrum:db-pass-7731@db:5432/scrum', jobExpirySeconds: 900 * 2 + 600 });
    // The database password is a secret like the others: redacted from logs and replies.
    expect(durable.secrets).toContain('db-pass-7731');
    expect(serverSettingsFromEnv({ ...LLM, ...GITEA, DATABASE_URL: 'postgres://db/x', SCRUM_APPLY_JOB_EXPIRY_SECONDS: '120' }).jobExpirySeconds).toBe(120);
  });

  it('reads a GitHub App deployment, on GitHub Enterprise too', () => {
    expect(serverSettingsFromEnv({ ...LLM, ...GITHUB })).toMatchObject({ githubApp: true, gitea: null });
    expect(serverSettingsFromEnv({ ...LLM, ...GITHUB, GHE_HOST: 'ghe.example.test' }).gitBaseUrls.github).toBe('https://ghe.example.test');
  });

  it('takes SCRUM_APPLY_GIT_BASE_URL as a URL or an absolute directory', () => {
    expect(serverSettingsFromEnv({ ...LLM, ...GITEA, SCRUM_APPLY_GIT_BASE_URL: 'https://mirror.example.test/git/' }).gitBaseUrls).toEqual({
      github: 'https://mirror.example.test/git',
      gitea: 'https://mirror.example.test/git',
    });
    expect(serverSettingsFromEnv({ ...LLM, ...GITEA, SCRUM_APPLY_GIT_BASE_URL: '/srv/mirror/' }).gitBaseUrls.github).toBe('/srv/mirror');
    expect(remoteUrlFor('/srv/mirror', { forge: 'github', owner: 'acme', repo: 'widgets' })).toBe('/srv/mirror/acme/widgets.git');
    expect(remoteUrlFor('https://github.com', { forge: 'github', owner: 'acme', repo: 'widgets' })).toBe('https://github.com/acme/widgets.git');
  });

  it.each([
    ['no patch model', { ...GITEA }, /SCRUM_APPLY_LLM_URL is not set/],
    ['nothing to serve', { ...LLM }, /nothing to serve/],
    ['an empty Gitea webhook secret', { ...LLM, ...GITEA, GITEA_WEBHOOK_SECRET: '' }, /GITEA_WEBHOOK_SECRET is empty or missing/],
    ['a Gitea URL without a webhook secret', { ...LLM, GITEA_URL: 'https://g.test', GITEA_TOKEN: 't' }, /GITEA_WEBHOOK_SECRET is empty or missing/],
    ['a Gitea webhook secret without a URL', { ...LLM, GITEA_WEBHOOK_SECRET: 'x' }, /GITEA_URL is not/],
    ['no Gitea token', { ...LLM, ...GITEA, GITEA_TOKEN: '' }, /GITEA_TOKEN is not set/],
    ['a Gitea URL with credentials', { ...LLM, ...GITEA, GITEA_URL: 'https://bot:pw@g.test' }, /GITEA_URL must not contain credentials/],
    ['an app without a key', { ...LLM, APP_ID: '1', WEBHOOK_SECRET: 'x' }, /PRIVATE_KEY/],
    ['an app without a webhook secret', { ...LLM, APP_ID: '1', PRIVATE_KEY: 'k' }, /WEBHOOK_SECRET is not/],
    ['a relative git base', { ...LLM, ...GITEA, SCRUM_APPLY_GIT_BASE_URL: 'mirror' }, /SCRUM_APPLY_GIT_BASE_URL must be an http\(s\) URL or an absolute directory/],
    ['a git base with credentials', { ...LLM, ...GITEA, SCRUM_APPLY_GIT_BASE_URL: 'https://u:p@m.test' }, /must not contain credentials/],
    ['a bad size limit', { ...LLM, ...GITEA, SCRUM_APPLY_MAX_REPO_BYTES: '2G' }, /SCRUM_APPLY_MAX_REPO_BYTES must be a whole number/],
    ['a bad job count', { ...LLM, ...GITEA, SCRUM_APPLY_JOBS: '0' }, /SCRUM_APPLY_JOBS must be a whole number from 1 to 16/],
    ['a web role without a database', { ...LLM, ...GITEA, SCRUM_APPLY_ROLE: 'web' }, /SCRUM_APPLY_ROLE=web needs DATABASE_URL/],
    ['an unknown role', { ...LLM, ...GITEA, SCRUM_APPLY_ROLE: 'both' }, /SCRUM_APPLY_ROLE must be web, worker or all/],
    ['a database URL that is not PostgreSQL', { ...LLM, ...GITEA, DATABASE_URL: 'mysql://u:p@h/d' }, /DATABASE_URL must be a postgres:\/\/ URL/],
    ['a too short job expiry', { ...LLM, ...GITEA, DATABASE_URL: 'postgres://db/x', SCRUM_APPLY_JOB_EXPIRY_SECONDS: '5' }, /SCRUM_APPLY_JOB_EXPIRY_SECONDS must be a whole number from 30/],
    ['a bad seed variable', { ...LLM, ...GITEA, LH_APPLIER_MAX_FILES: 'many' }, /LH_APPLIER_MAX_FILES must be a whole number/],
  ])('refuses to start with %s', (_what, env, message) => {
    expect(() => serverSettingsFromEnv(env)).toThrow(message);
  });

  it('keeps secrets out of its errors', () => {
    expect(() => serverSettingsFromEnv({ ...LLM, ...GITEA, GITEA_URL: 'https://bot:hunter2@g.test' })).toThrow(/^(?!.*hunter2)/);
  });
});
