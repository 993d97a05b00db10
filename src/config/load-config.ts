import { lstat, readFile, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import YAML from 'yaml';
import { ConfigError } from './config-error.js';
import { RepoConfig, type RepoConfigInput } from './config-schema.js';
import { formatZodIssues } from './format-zod-issues.js';

export { ConfigError } from './config-error.js';
export { configFromEnv, type EnvConfig } from './config-from-env.js';
export { resolveConfig, type ConfigLayers } from './resolve-config.js';

export const DEFAULT_CONFIG_PATH = '.github/scrum-apply.yml';
/** A config file is a few dozen lines; anything this big is a mistake or an attack. */
export const MAX_CONFIG_BYTES = 256 * 1024;

/** RepoConfig has defaults but no transforms, so any value it accepts is a valid input. */
function acceptedByRepoConfig(value: unknown): value is RepoConfigInput {
  return RepoConfig.safeParse(value).success;
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/:\s*$/u, '');
}

/**
 * Parses the repository's config file. Returns only what the file says (no defaults filled
 * in) so that precedence can be applied afterwards; an empty file is `{}`.
 */
export function parseRepoConfig(text: string, where: string): RepoConfigInput {
  const document = YAML.parseDocument(text);
  const syntaxError = document.errors[0];
  if (syntaxError) throw new ConfigError(`Invalid YAML in ${where}: ${firstLine(syntaxError.message)}`);
  let data: unknown;
  try {
    data = document.toJS();
  } catch (error) {
    // e.g. too many aliases (a "billion laughs" file)
    const message = error instanceof Error ? firstLine(error.message) : 'cannot be read';
    throw new ConfigError(`Invalid YAML in ${where}: ${message}`, { cause: error });
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(`Invalid config in ${where}: expected a mapping of settings at the top level`);
  }
  if (acceptedByRepoConfig(data)) return data;
  const issues = RepoConfig.safeParse(data).error?.issues ?? [];
  throw new ConfigError(`Invalid config in ${where}: ${formatZodIssues(issues)}`);
}

function errorCode(error: unknown): string | undefined {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

/**
 * Reads `<repoDir>/<relPath>`; null when there is none. The file comes from the repository, so
 * it must be a regular file inside it: a symlink could make us read (and quote keys of) a file
 * elsewhere on the machine.
 */
export async function loadRepoConfigFile(
  repoDir: string,
  relPath: string = DEFAULT_CONFIG_PATH,
): Promise<RepoConfigInput | null> {
  const fullPath = join(repoDir, relPath);
  let stats;
  try {
    stats = await lstat(fullPath);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new ConfigError(`cannot read config file ${relPath}: ${code ?? 'unknown error'}`, { cause: error });
  }
  if (stats.isSymbolicLink()) throw new ConfigError(`config file ${relPath} is a symbolic link; it must be a regular file`);
  if (!stats.isFile()) throw new ConfigError(`config file ${relPath} is not a regular file`);
  if (stats.size > MAX_CONFIG_BYTES) {
    throw new ConfigError(`config file ${relPath} is larger than ${MAX_CONFIG_BYTES} bytes`);
  }
  const inside = relative(await realpath(repoDir), await realpath(dirname(fullPath)));
  if (inside === '..' || inside.startsWith('../') || isAbsolute(inside)) {
    throw new ConfigError(`config file ${relPath} is outside the repository (a directory on its path is a symbolic link)`);
  }
  let text: string;
  try {
    text = await readFile(fullPath, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${relPath}: ${errorCode(error) ?? 'unknown error'}`, { cause: error });
  }
  return parseRepoConfig(text, relPath);
}
