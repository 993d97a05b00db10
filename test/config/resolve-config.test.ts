import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { configFromEnv } from '../../src/config/config-from-env.js';
import { DEFAULT_DENY, RepoConfig } from '../../src/config/config-schema.js';
import { parseRepoConfig } from '../../src/config/load-config.js';
import { resolveConfig } from '../../src/config/resolve-config.js';

describe('resolveConfig', () => {
  test('no layers gives the defaults', () => {
    const config = resolveConfig({});
    expect(config).toEqual(RepoConfig.parse({}));
    expect(config.minConfidence).toBe(90);
    expect(config.deny).toEqual([...DEFAULT_DENY]);
    expect(config.check.command).toBe('cargo check --workspace');
  });

  test('flags > env > file > defaults, key by key', () => {
    const file = parseRepoConfig(
      [
        'minConfidence: 80',
        'maxFiles: 2',
        'maxPatchLines: 4',
        'llm: { model: file-model, provider: file-provider, timeoutSeconds: 60 }',
        'check: { command: cargo test }',
      ].join('\n'),
      '.github/scrum-apply.yml',
    );
    const env = configFromEnv({ LH_APPLIER_MIN_CONF: '85', LH_APPLIER_MAX_FILES: '3', LH_APPLIER_MODEL: 'env-model' }).config;
    const flags = { maxFiles: 7, concurrency: undefined };
    const config = resolveConfig({ file, env, flags });
    expect(config.maxFiles).toBe(7);
    expect(config.minConfidence).toBe(85);
    expect(config.maxPatchLines).toBe(4);
    expect(config.concurrency).toBe(4);
    expect(config.llm).toEqual({
      model: 'env-model',
      provider: 'file-provider',
      timeoutSeconds: 60,
      protocol: 'openai',
      maxResponseBytes: 1024 * 1024,
      maxPromptChars: 300_000,
    });
    expect(config.check).toEqual({ command: 'cargo test', timeoutSeconds: 900, sandbox: 'auto', allowUnsandboxed: false });
  });

  test('arrays are replaced, not merged', () => {
    const config = resolveConfig({ file: { deny: ['a/', 'b/'], excludeTiers: ['block'] }, flags: { deny: ['c/'] } });
    expect(config.deny).toEqual(['c/']);
    expect(config.excludeTiers).toEqual(['block']);
  });

  test('a null file layer is ignored', () => {
    expect(resolveConfig({ file: null, flags: { maxFiles: 1 } }).maxFiles).toBe(1);
  });

  test('a bad value says which layer it came from', () => {
    expect(() => resolveConfig({ flags: { maxFiles: 5000 } })).toThrow(ConfigError);
    expect(() => resolveConfig({ flags: { maxFiles: 5000 } })).toThrow(
      'Invalid config from command-line options: maxFiles: Too big: expected number to be <=1000',
    );
    expect(() => resolveConfig({ env: { concurrency: 0 } })).toThrow('Invalid config from the environment: concurrency');
    expect(() => resolveConfig({ file: { minConfidence: -1 } })).toThrow('Invalid config from the config file: minConfidence');
  });
});
