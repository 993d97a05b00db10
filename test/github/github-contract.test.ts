import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitHubOctokit } from '../../src/forge/github/create-github-octokit.js';
import { checkGitHubRequest, loadGitHubContract } from '../helpers/github-contract.js';
import { captureLogger, createGitHubMock, GITHUB_API, mockCreatePull, TOKEN } from '../helpers/github-mocks.js';

const contract = loadGitHubContract();

describe('checkGitHubRequest', () => {
  it('accepts requests that follow the contract', () => {
    expect(
      checkGitHubRequest(contract, {
        method: 'POST',
        path: '/repos/acme/widgets/pulls',
        body: { title: 't', head: 'scrum-apply/a.rs', base: 'main', body: 'b', draft: false },
      }),
    ).toEqual([]);
    expect(checkGitHubRequest(contract, { method: 'GET', path: '/repos/acme/widgets/pulls?state=all&per_page=100', body: undefined })).toEqual([]);
    expect(checkGitHubRequest(contract, { method: 'PUT', path: '/repos/acme/widgets/issues/7/labels', body: { labels: ['a', 'b'] } })).toEqual([]);
    expect(
      checkGitHubRequest(contract, { method: 'POST', path: '/repos/acme/widgets/issues/comments/9/reactions', body: { content: 'eyes' } }),
    ).toEqual([]);
  });

  it('rejects a body property of the wrong type', () => {
    const problems = checkGitHubRequest(contract, {
      method: 'POST',
      path: '/repos/acme/widgets/pulls',
      body: { title: 't', head: 'h', base: 'main', draft: 'yes' },
    });
    expect(problems).toEqual(['POST /repos/{owner}/{repo}/pulls: body.draft: expected boolean, got string "yes"']);
  });

  it('rejects an unknown path, a wrong method, missing required properties, bad enums and unknown properties', () => {
    expect(checkGitHubRequest(contract, { method: 'GET', path: '/repos/acme/widgets/pullz', body: undefined })).toEqual([
      'GET /repos/acme/widgets/pullz: no such path in the contract',
    ]);
    expect(checkGitHubRequest(contract, { method: 'DELETE', path: '/repos/acme/widgets/pulls/3', body: undefined })).toEqual([
      'DELETE /repos/{owner}/{repo}/pulls/{pull_number}: method not in the contract',
    ]);
    expect(checkGitHubRequest(contract, { method: 'POST', path: '/repos/acme/widgets/pulls', body: { title: 't', base: 'main' } })).toEqual([
      'POST /repos/{owner}/{repo}/pulls: body: missing required property head',
    ]);
    expect(
      checkGitHubRequest(contract, { method: 'POST', path: '/repos/acme/widgets/issues/comments/9/reactions', body: { content: 'eye' } }),
    ).toHaveLength(1);
    expect(
      checkGitHubRequest(contract, { method: 'PATCH', path: '/repos/acme/widgets/pulls/3', body: { title: 't', labels: ['x'] } }),
    ).toEqual(['PATCH /repos/{owner}/{repo}/pulls/{pull_number}: body: unknown property labels']);
    expect(checkGitHubRequest(contract, { method: 'POST', path: '/repos/acme/widgets/labels', body: undefined })).toEqual([
      'POST /repos/{owner}/{repo}/labels: missing request body',
    ]);
  });

  it('checks path and query parameters', () => {
    expect(checkGitHubRequest(contract, { method: 'GET', path: '/repos/acme/widgets/pulls?state=everything', body: undefined })).toHaveLength(1);
    expect(checkGitHubRequest(contract, { method: 'GET', path: '/repos/acme/widgets/pulls?per_page=lots', body: undefined })).toHaveLength(1);
    expect(checkGitHubRequest(contract, { method: 'GET', path: '/repos/acme/widgets/pulls?colour=red', body: undefined })).toEqual([
      'GET /repos/{owner}/{repo}/pulls: unknown query parameter colour',
    ]);
    expect(checkGitHubRequest(contract, { method: 'PATCH', path: '/repos/acme/widgets/pulls/seven', body: {} })).toHaveLength(1);
  });

  it('rejects an empty label list where GitHub requires at least one', () => {
    expect(checkGitHubRequest(contract, { method: 'PUT', path: '/repos/acme/widgets/issues/7/labels', body: { labels: [] } })).toHaveLength(1);
  });
});

describe('GitHub mock helpers', () => {
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('flag a request that breaks the contract, so the test fails', async () => {
    nock.disableNetConnect();
    const mock = createGitHubMock();
    mockCreatePull(mock, 1);
    const octokit = createGitHubOctokit({ token: TOKEN, baseUrl: GITHUB_API, logger: captureLogger().logger, throttle: false, retries: 0 });
    // A raw route (not the typed one) so the wrong type can be sent at all.
    const route: string = 'POST /repos/{owner}/{repo}/pulls';
    const sent = octokit.request(route, { owner: 'acme', repo: 'widgets', head: 'h', base: 'main', draft: 'yes' });
    await expect(sent).rejects.toMatchObject({ status: 400 });
    expect(mock.violations).toEqual(['POST /repos/{owner}/{repo}/pulls: body.draft: expected boolean, got string "yes"']);
    expect(() => mock.done()).toThrow();
  });
});
