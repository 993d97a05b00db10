import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
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

const STEP_MS = 10;
/** Event-loop turns between clock steps: time for everything not waiting on a timer to go on. */
const TURNS_PER_STEP = 50;
/**
 * The throttling plugin's limiter groups are process-wide and remember the clock: each fake
 * clock starts after where the last one stopped, so no test waits for an earlier one's time.
 */
let clockEnd = 0;

/**
 * Three label creations in a row under a fake clock; how much clock time they needed. The
 * clock moves only here, STEP_MS at a time after the event loop has had TURNS_PER_STEP turns
 * for everything that does not wait on a timer, so the answer counts the pauses the client
 * waits for, however slow the machine is.
 */
async function clockTimeForThreeWrites(mock: GitHubMock, extra: NodeJS.ProcessEnv = {}): Promise<number> {
  mockListLabels(mock, []);
  mockCreateLabel(mock, { times: 3 });
  vi.useFakeTimers({ now: Math.max(Date.now(), clockEnd) + 60_000, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  const forge = forgeFrom(mock, extra);
  let done = false;
  const writes = forge.ensureLabels(LABELS).finally(() => {
    done = true;
  });
  let advanced = 0;
  while (!done && advanced < 60_000) {
    for (let turn = 0; turn < TURNS_PER_STEP && !done; turn += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      await vi.advanceTimersByTimeAsync(0);
    }
    if (done) break;
    await vi.advanceTimersByTimeAsync(STEP_MS);
    advanced += STEP_MS;
  }
  clockEnd = Date.now();
  vi.useRealTimers();
  await writes;
  mock.done();
  return advanced;
}

describe('SCRUM_APPLY_GITHUB_WRITE_SPACING', () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    vi.useRealTimers();
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('by default, writes are spaced a second apart (GitHub secondary-limit guidance)', async () => {
    const mock = createGitHubMock({ api: 'https://api.github.test', owner: 'octo', repo: 'demo', token: randomToken() });
    expect(await clockTimeForThreeWrites(mock)).toBeGreaterThanOrEqual(2000);
    expect(mock.writes()).toHaveLength(3);
  });

  it('off: the same writes go one after another without the pause', async () => {
    const mock = createGitHubMock({ api: 'https://api.github.test', owner: 'octo', repo: 'demo', token: randomToken() });
    // The scheduler's own short timers only (about 0.1 s of clock time in all): no 1 s pause.
    expect(await clockTimeForThreeWrites(mock, { SCRUM_APPLY_GITHUB_WRITE_SPACING: 'off' })).toBeLessThan(1000);
    expect(mock.writes()).toHaveLength(3);
  });
});
