import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { configFromEnv } from '../../src/config/config-from-env.js';

describe('configFromEnv', () => {
  test('no variables, no settings', () => {
    expect(configFromEnv({ PATH: '/usr/bin', HOME: '/root' })).toEqual({ config: {}, apply: undefined });
  });

  test("maps the seed's LH_APPLIER_* aliases and the SCRUM_APPLY_* settings", () => {
    const result = configFromEnv({
      LH_APPLIER_MIN_CONF: '85',
      LH_APPLIER_MAX_FILES: '3',
      LH_APPLIER_MODEL: 'kimi-k2:1t',
      LH_APPLIER_BRANCH: 'scrum/auto-apply',
      LH_APPLIER_COMMIT: '1',
      SCRUM_APPLY_LLM_URL: 'http://127.0.0.1:11434/v1',
      SCRUM_APPLY_LLM_PROTOCOL: 'gateway',
      SCRUM_APPLY_LLM_PROVIDER: 'openrouter',
      SCRUM_APPLY_CONCURRENCY: '2',
    });
    expect(result).toEqual({
      config: {
        minConfidence: 85,
        maxFiles: 3,
        concurrency: 2,
        branchPrefix: 'scrum/auto-apply/',
        llm: { model: 'kimi-k2:1t', url: 'http://127.0.0.1:11434/v1', protocol: 'gateway', provider: 'openrouter' },
      },
      apply: true,
    });
  });

  test('a branch prefix that already ends with "/" is kept; COMMIT=0 is a dry run; empty means unset', () => {
    expect(configFromEnv({ LH_APPLIER_BRANCH: 'bots/', LH_APPLIER_COMMIT: '0' })).toEqual({
      config: { branchPrefix: 'bots/' },
      apply: false,
    });
    expect(configFromEnv({ LH_APPLIER_MAX_FILES: '', LH_APPLIER_COMMIT: '', SCRUM_APPLY_LLM_URL: ' ' })).toEqual({
      config: {},
      apply: undefined,
    });
  });

  test.each([
    [{ LH_APPLIER_MAX_FILES: 'abc' }, 'LH_APPLIER_MAX_FILES must be a whole number, got "abc"'],
    [{ LH_APPLIER_MIN_CONF: '9.5' }, 'LH_APPLIER_MIN_CONF must be a whole number, got "9.5"'],
    [{ LH_APPLIER_MIN_CONF: '-1' }, 'LH_APPLIER_MIN_CONF must be a whole number, got "-1"'],
    [{ LH_APPLIER_MIN_CONF: '101' }, 'LH_APPLIER_MIN_CONF is invalid: Too big: expected number to be <=100 (got 101)'],
    [{ SCRUM_APPLY_CONCURRENCY: '0' }, 'SCRUM_APPLY_CONCURRENCY is invalid: Too small'],
    [{ SCRUM_APPLY_LLM_PROTOCOL: 'grpc' }, 'SCRUM_APPLY_LLM_PROTOCOL is invalid: Invalid option'],
    [{ LH_APPLIER_BRANCH: 'bad branch' }, 'LH_APPLIER_BRANCH is invalid: must be letters'],
    [{ LH_APPLIER_COMMIT: 'yes' }, 'LH_APPLIER_COMMIT must be "1" (apply) or "0" (dry run), got "yes"'],
  ])('%j is refused', (env, message) => {
    expect(() => configFromEnv(env)).toThrow(ConfigError);
    expect(() => configFromEnv(env)).toThrow(message);
  });

  test('a bad LLM URL is refused without echoing it (it may carry a key)', () => {
    let message = '';
    try {
      configFromEnv({ SCRUM_APPLY_LLM_URL: 'not a url sk-secretsecretsecret' });
    } catch (error) {
      if (error instanceof Error) message = error.message;
    }
    expect(message).toBe('SCRUM_APPLY_LLM_URL is invalid: Invalid URL');
  });
});
