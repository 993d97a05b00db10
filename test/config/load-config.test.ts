import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ConfigError, loadRepoConfigFile, parseRepoConfig } from '../../src/config/load-config.js';

const WHERE = '.github/scrum-apply.yml';

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected an error');
}

describe('parseRepoConfig', () => {
  test('returns what the file says, without defaults', () => {
    const text = [
      'minConfidence: 95',
      'deny: [vendor/, "**/*.snap"]',
      'check:',
      '  command: cargo check -p core',
      '  timeoutSeconds: 600',
      'llm:',
      '  url: http://127.0.0.1:11434/v1',
      'pr: { draft: true }',
    ].join('\n');
    expect(parseRepoConfig(text, WHERE)).toEqual({
      minConfidence: 95,
      deny: ['vendor/', '**/*.snap'],
      check: { command: 'cargo check -p core', timeoutSeconds: 600 },
      llm: { url: 'http://127.0.0.1:11434/v1' },
      pr: { draft: true },
    });
  });

  test('an empty file or only comments is {}', () => {
    expect(parseRepoConfig('', WHERE)).toEqual({});
    expect(parseRepoConfig('# nothing yet\n', WHERE)).toEqual({});
  });

  test('a wrong type names the file and the key, on one line', () => {
    const error = errorOf(() => parseRepoConfig('check:\n  timeoutSeconds: "ten"\n', WHERE));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      'Invalid config in .github/scrum-apply.yml: check.timeoutSeconds: expected number, received string',
    );
  });

  test('unknown keys are errors, also nested ones', () => {
    expect(() => parseRepoConfig('minConfidense: 90\n', WHERE)).toThrow(
      'Invalid config in .github/scrum-apply.yml: minConfidense: unknown key',
    );
    expect(() => parseRepoConfig('check:\n  comand: x\n', WHERE)).toThrow('check.comand: unknown key');
    expect(() => parseRepoConfig('__proto__: { minConfidence: 1 }\n', WHERE)).toThrow('__proto__: unknown key');
  });

  test('out-of-range values, bad enums and array items name the key', () => {
    expect(() => parseRepoConfig('minConfidence: 150', WHERE)).toThrow('minConfidence: Too big');
    expect(() => parseRepoConfig('check: { sandbox: docker }', WHERE)).toThrow('check.sandbox: Invalid option');
    expect(() => parseRepoConfig('deny: [ok/, 3]', WHERE)).toThrow('deny[1]: expected string, received number');
    expect(() => parseRepoConfig('branchPrefix: bot', WHERE)).toThrow('branchPrefix: must be letters');
  });

  test('several problems stay on one line', () => {
    const error = errorOf(() => parseRepoConfig('a: 1\nb: 2\nc: 3\nd: 4\nminConfidence: x\n', WHERE));
    expect(error.message.split('\n')).toHaveLength(1);
    expect(error.message).toMatch(/and \d more$/);
  });

  test('YAML syntax errors name the file and line', () => {
    const error = errorOf(() => parseRepoConfig('minConfidence: 90\ndeny: [a/,\n  b: c\n', WHERE));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/^Invalid YAML in \.github\/scrum-apply\.yml: .* at line \d+, column \d+$/);
    expect(() => parseRepoConfig('a: 1\na: 2\n', WHERE)).toThrow(/Map keys must be unique at line 2/);
  });

  test('a top level that is not a mapping is an error', () => {
    expect(() => parseRepoConfig('- a\n- b\n', WHERE)).toThrow(
      'Invalid config in .github/scrum-apply.yml: expected a mapping of settings at the top level',
    );
    expect(() => parseRepoConfig('just text', WHERE)).toThrow('expected a mapping');
  });

  test('an alias bomb is refused', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 8; i++) {
      const prev = String.fromCharCode(97 + i);
      const next = String.fromCharCode(98 + i);
      lines.push(`${next}: &${next} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`);
    }
    expect(() => parseRepoConfig(lines.join('\n'), WHERE)).toThrow(/^Invalid YAML in \.github\/scrum-apply\.yml: /);
  });
});

describe('loadRepoConfigFile', () => {
  let repo: string;
  beforeEach(async () => {
    repo = await mkdtemp(join(tmpdir(), 'scrum-apply-config-'));
  });
  afterEach(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  test('null when there is no config file', async () => {
    expect(await loadRepoConfigFile(repo)).toBeNull();
  });

  test('reads .github/scrum-apply.yml, or another path', async () => {
    await mkdir(join(repo, '.github'));
    await writeFile(join(repo, '.github', 'scrum-apply.yml'), 'maxFiles: 3\n');
    await writeFile(join(repo, 'other.yml'), 'maxFiles: 7\n');
    expect(await loadRepoConfigFile(repo)).toEqual({ maxFiles: 3 });
    expect(await loadRepoConfigFile(repo, 'other.yml')).toEqual({ maxFiles: 7 });
  });

  test('errors name the relative path', async () => {
    await mkdir(join(repo, '.github'));
    await writeFile(join(repo, '.github', 'scrum-apply.yml'), 'maxFiles: lots\n');
    await expect(loadRepoConfigFile(repo)).rejects.toThrow(
      'Invalid config in .github/scrum-apply.yml: maxFiles: expected number, received string',
    );
  });

  test('a symlink (to the file or a directory on its path) or a directory is refused', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'scrum-apply-outside-'));
    try {
      await writeFile(join(outside, 'secret.yml'), 'token: abc\n');
      await mkdir(join(repo, '.github'));
      await symlink(join(outside, 'secret.yml'), join(repo, '.github', 'scrum-apply.yml'));
      await expect(loadRepoConfigFile(repo)).rejects.toThrow(
        'config file .github/scrum-apply.yml is a symbolic link; it must be a regular file',
      );
      await symlink(outside, join(repo, 'linked'));
      await expect(loadRepoConfigFile(repo, 'linked/secret.yml')).rejects.toThrow('is outside the repository');
      await mkdir(join(repo, 'dir.yml'));
      await expect(loadRepoConfigFile(repo, 'dir.yml')).rejects.toThrow('config file dir.yml is not a regular file');
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  test('an oversized file is refused', async () => {
    await writeFile(join(repo, 'big.yml'), `# ${'x'.repeat(300 * 1024)}\n`);
    await expect(loadRepoConfigFile(repo, 'big.yml')).rejects.toThrow(ConfigError);
  });
});
