import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubOctokit } from '../../src/forge/github/create-github-octokit.js';
import { createGitHubForge } from '../../src/forge/github/github-forge.js';
import { createRedactor } from '../../src/log/redact.js';
import { captureLogger, createGitHubMock, GITHUB_API, mockGetRepo, OWNER, REPO, TOKEN } from '../helpers/github-mocks.js';

const SECONDARY = {
  status: 403,
  payload: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
  headers: { 'retry-after': '1' },
};

function forgeWithThrottling(logger = captureLogger().logger) {
  const octokit = createGitHubOctokit({ token: TOKEN, baseUrl: `${GITHUB_API}/`, logger, retries: 0 });
  return createGitHubForge({ octokit, owner: OWNER, repo: REPO, logger, redact: createRedactor([TOKEN]) });
}

describe('createGitHubOctokit', () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('authenticates with the token', async () => {
    const mock = createGitHubMock();
    mockGetRepo(mock);
    const octokit = createGitHubOctokit({ token: TOKEN, baseUrl: GITHUB_API, logger: captureLogger().logger, throttle: false });
    const response = await octokit.request('GET /repos/{owner}/{repo}', { owner: OWNER, repo: REPO });
    expect(response.status).toBe(200);
    mock.done(); // the mock checks `authorization: token <TOKEN>`
  });

  it('waits out a secondary rate limit (retry-after: 1) and then succeeds', async () => {
    const mock = createGitHubMock();
    mockGetRepo(mock, SECONDARY);
    mockGetRepo(mock);
    const { logger, lines } = captureLogger();
    const started = Date.now();
    await expect(forgeWithThrottling(logger).defaultBranch()).resolves.toBe('main');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(mock.requests).toHaveLength(2);
    expect(lines.join('')).toContain('GitHub rate limit hit');
    mock.done();
  });

  it('waits for the reset of the primary rate limit and then succeeds', async () => {
    const mock = createGitHubMock();
    const reset = String(Math.floor(Date.now() / 1000));
    mockGetRepo(mock, {
      status: 403,
      payload: { message: 'API rate limit exceeded for installation.' },
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
    });
    mockGetRepo(mock);
    await expect(forgeWithThrottling().defaultBranch()).resolves.toBe('main');
    expect(mock.requests).toHaveLength(2);
    mock.done();
  });

  it('gives up after two retries', async () => {
    const mock = createGitHubMock();
    mockGetRepo(mock, SECONDARY);
    mockGetRepo(mock, SECONDARY);
    mockGetRepo(mock, SECONDARY);
    const error = await forgeWithThrottling().defaultBranch().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ForgeError', status: 403 });
    expect(mock.requests).toHaveLength(3);
    mock.done();
  });
});
