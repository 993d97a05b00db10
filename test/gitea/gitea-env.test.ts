import { describe, expect, it } from 'vitest';
import { giteaSettingsFromEnv } from '../../src/forge/gitea/gitea-env.js';

const BASE = { GITEA_URL: 'https://gitea.example.com/', GITEA_TOKEN: 'tok-123456', GITEA_REPOSITORY: 'acme/widgets' };

describe('giteaSettingsFromEnv', () => {
  it('reads GITEA_URL, GITEA_TOKEN and GITEA_REPOSITORY', () => {
    expect(giteaSettingsFromEnv(BASE)).toEqual({
      url: 'https://gitea.example.com',
      token: 'tok-123456',
      owner: 'acme',
      repo: 'widgets',
    });
  });

  it('keeps a sub-path and drops a pasted /api/v1', () => {
    expect(giteaSettingsFromEnv({ ...BASE, GITEA_URL: 'http://host:3000/gitea/api/v1/' }).url).toBe('http://host:3000/gitea');
  });

  it.each([
    ['GITEA_URL', /^GITEA_URL is not set: the Gitea server's base URL/],
    ['GITEA_TOKEN', /^GITEA_TOKEN is not set: a Gitea access token/],
    ['GITEA_REPOSITORY', /^GITEA_REPOSITORY is not set: the repository as owner\/name$/],
  ] as const)('names the missing %s', (name, message) => {
    expect(() => giteaSettingsFromEnv({ ...BASE, [name]: undefined })).toThrow(message);
    expect(() => giteaSettingsFromEnv({ ...BASE, [name]: '  ' })).toThrow(message);
  });

  it('outside Gitea Actions the GITHUB_* variables are not used', () => {
    const env = { GITHUB_SERVER_URL: 'https://github.com', GITHUB_TOKEN: 'gh-token-1', GITHUB_REPOSITORY: 'a/b' };
    expect(() => giteaSettingsFromEnv(env)).toThrow(/^GITEA_URL is not set/);
  });

  it('under Gitea Actions the runner\u2019s GITHUB_* variables stand in, GITEA_* preferred', () => {
    const runner = {
      GITEA_ACTIONS: 'true',
      GITHUB_SERVER_URL: 'https://gitea.example.com',
      GITHUB_TOKEN: 'runner-token',
      GITHUB_REPOSITORY: 'acme/widgets',
    };
    expect(giteaSettingsFromEnv(runner)).toEqual({ url: 'https://gitea.example.com', token: 'runner-token', owner: 'acme', repo: 'widgets' });
    expect(giteaSettingsFromEnv({ ...runner, GITEA_TOKEN: 'pat-with-admin' }).token).toBe('pat-with-admin');
    expect(() => giteaSettingsFromEnv({ GITEA_ACTIONS: 'true' })).toThrow(/^GITEA_URL or GITHUB_SERVER_URL is not set/);
    expect(() => giteaSettingsFromEnv({ ...runner, GITHUB_REPOSITORY: 'nope' })).toThrow(/^GITHUB_REPOSITORY must be owner\/name/);
  });

  it.each(['acme', 'acme/widgets/x', 'acme/', '/widgets', 'acme/..', 'ac me/widgets'])('rejects repository %j', (value) => {
    expect(() => giteaSettingsFromEnv({ ...BASE, GITEA_REPOSITORY: value })).toThrow(/^GITEA_REPOSITORY must be owner\/name/);
  });

  it('rejects a URL that is not http(s), has credentials, a query or is not a URL', () => {
    expect(() => giteaSettingsFromEnv({ ...BASE, GITEA_URL: 'gitea.example.com' })).toThrow(/^GITEA_URL must be .*it is not a URL$/);
    expect(() => giteaSettingsFromEnv({ ...BASE, GITEA_URL: 'ftp://gitea.example.com' })).toThrow(/it uses ftp:/);
    const withSecret = 'https://bot:s3cret-pass@gitea.example.com';
    let message = '';
    try {
      giteaSettingsFromEnv({ ...BASE, GITEA_URL: withSecret });
    } catch (error) {
      message = error instanceof Error ? error.message : '';
    }
    expect(message).toMatch(/must not contain credentials \(use GITEA_TOKEN\)/);
    expect(message).not.toContain('s3cret-pass');
    expect(() => giteaSettingsFromEnv({ ...BASE, GITEA_URL: 'https://g.example.com/?x=1' })).toThrow(/query or fragment/);
  });
});
