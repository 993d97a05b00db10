import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createForgeFromEnv } from '../../src/forge/create-forge.js';
import { createRedactor } from '../../src/log/redact.js';
import { randomToken } from '../helpers/github-e2e.js';
import { captureLogger, createGitHubMock, mockCreateLabel, mockListLabels, type GitHubMock } from '../helpers/github-mocks.js';

/** The GitHub forge as the CLI builds it from its environment. */
function forgeFrom(mock: GitHubMock, extra: NodeJS.ProcessEnv = {}) {
  const env = {
    GITHUB_TOKEN: mock.target.token,
    GITHUB_REPOSITORY: `${mock.target.owner}/${mock.target.repo}`,
    GITHUB_API_URL: mock.target.api,
    ...extra,
  };
  const { forge } = createForgeFromEnv('github', env, captureLogger([mock.target.token]).logger, createRedactor([mock.target.token]));
  if (forge === null) throw new Error('no forge');
  return forge;
}

const LABELS = ['a', 'b', 'c'].map((name) => ({ name: `patches:${name}`, color: '0e8a16' }));

/** Three label creations in a row; how long they took. */
async function timeThreeWrites(mock: GitHubMock, extra: NodeJS.ProcessEnv = {}): Promise<number> {
  mockListLabels(mock, []);
  mockCreateLabel(mock, { times: 3 });
  const forge = forgeFrom(mock, extra);
  const started = Date.now();
  await forge.ensureLabels(LABELS);
  const elapsed = Date.now() - started;
  mock.done();
  return elapsed;
}

describe('SCRUM_APPLY_GITHUB_WRITE_SPACING', () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('by default, writes are spaced a second apart (GitHub secondary-limit guidance)', async () => {
    const mock = createGitHubMock({ api: 'https://api.github.test', owner: 'octo', repo: 'demo', token: randomToken() });
    expect(await timeThreeWrites(mock)).toBeGreaterThanOrEqual(1900);
    expect(mock.writes()).toHaveLength(3);
  });

  it('off: the same writes go one after another without the pause', async () => {
    const mock = createGitHubMock({ api: 'https://api.github.test', owner: 'octo', repo: 'demo', token: randomToken() });
    expect(await timeThreeWrites(mock, { SCRUM_APPLY_GITHUB_WRITE_SPACING: 'off' })).toBeLessThan(1000);
    expect(mock.writes()).toHaveLength(3);
  });
});
