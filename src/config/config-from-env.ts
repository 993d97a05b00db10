import type { z } from 'zod';
import { ConfigError } from './config-error.js';
import { LlmConfig, RepoConfig, type RepoConfigInput } from './config-schema.js';
import { formatZodIssues } from './format-zod-issues.js';

export interface EnvConfig {
  config: RepoConfigInput;
  /** LH_APPLIER_COMMIT: "1" → true, "0" → false, unset → undefined (the flag or default decides). */
  apply: boolean | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

/** CI often sets a variable to "" when a secret or input is missing: treat that as unset. */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Checks a value against the config field it feeds so the error names the variable.
 * `quote` is false for values that may hold credentials (a URL with user:password@).
 */
function validated<T>(name: string, value: unknown, schema: z.ZodType<T>, quote: boolean): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const shown = quote ? ` (got ${JSON.stringify(value)})` : '';
  throw new ConfigError(`${name} is invalid: ${formatZodIssues(parsed.error.issues)}${shown}`);
}

function wholeNumber(env: Env, name: string, schema: z.ZodType<number>): number | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/u.test(raw)) throw new ConfigError(`${name} must be a whole number, got ${JSON.stringify(raw)}`);
  return validated(name, Number(raw), schema, true);
}

function text<T>(env: Env, name: string, schema: z.ZodType<T>, quote = true): T | undefined {
  const raw = read(env, name);
  return raw === undefined ? undefined : validated(name, raw, schema, quote);
}

function applyFlag(env: Env): boolean | undefined {
  const raw = read(env, 'LH_APPLIER_COMMIT');
  if (raw === undefined || raw === '0') return raw === '0' ? false : undefined;
  if (raw === '1') return true;
  throw new ConfigError(`LH_APPLIER_COMMIT must be "1" (apply) or "0" (dry run), got ${JSON.stringify(raw)}`);
}

/** The seed's LH_APPLIER_* variables and SCRUM_APPLY_* settings, as a config layer. */
export function configFromEnv(env: NodeJS.ProcessEnv): EnvConfig {
  const shape = RepoConfig.shape;
  const llmShape = LlmConfig.shape;

  const branch = read(env, 'LH_APPLIER_BRANCH');
  const branchPrefix =
    branch === undefined
      ? undefined
      : validated('LH_APPLIER_BRANCH', branch.endsWith('/') ? branch : `${branch}/`, shape.branchPrefix, true);

  const model = text(env, 'LH_APPLIER_MODEL', llmShape.model);
  const url = text(env, 'SCRUM_APPLY_LLM_URL', llmShape.url, false);
  const protocol = text(env, 'SCRUM_APPLY_LLM_PROTOCOL', llmShape.protocol);
  const provider = text(env, 'SCRUM_APPLY_LLM_PROVIDER', llmShape.provider);
  const minConfidence = wholeNumber(env, 'LH_APPLIER_MIN_CONF', shape.minConfidence);
  const maxFiles = wholeNumber(env, 'LH_APPLIER_MAX_FILES', shape.maxFiles);
  const concurrency = wholeNumber(env, 'SCRUM_APPLY_CONCURRENCY', shape.concurrency);

  // Only set keys get a value: an unset variable must not hide a value from a lower layer.
  const llm: NonNullable<RepoConfigInput['llm']> = {};
  if (model !== undefined) llm.model = model;
  if (url !== undefined) llm.url = url;
  if (protocol !== undefined) llm.protocol = protocol;
  if (provider !== undefined) llm.provider = provider;

  const config: RepoConfigInput = {};
  if (minConfidence !== undefined) config.minConfidence = minConfidence;
  if (maxFiles !== undefined) config.maxFiles = maxFiles;
  if (concurrency !== undefined) config.concurrency = concurrency;
  if (branchPrefix !== undefined) config.branchPrefix = branchPrefix;
  if (Object.keys(llm).length > 0) config.llm = llm;
  return { config, apply: applyFlag(env) };
}
