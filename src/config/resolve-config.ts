import { ConfigError } from './config-error.js';
import { RepoConfig, type RepoConfigInput } from './config-schema.js';
import { formatZodIssues } from './format-zod-issues.js';

export interface ConfigLayers {
  file?: RepoConfigInput | null;
  env?: RepoConfigInput;
  flags?: RepoConfigInput;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Objects merge key by key; arrays and scalars replace; `undefined` never overrides (an
 * option that was not given must not hide a value from a lower layer).
 */
function mergeLayer(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const keys = new Set([...Object.keys(base), ...Object.keys(over)]);
  // fromEntries defines own properties, so a "__proto__" key cannot reach a prototype.
  return Object.fromEntries([...keys].map((key) => [key, mergeLayer(base[key], over[key])]));
}

function validateLayer(layer: RepoConfigInput, source: string): void {
  const parsed = RepoConfig.safeParse(layer);
  if (!parsed.success) throw new ConfigError(`Invalid config from ${source}: ${formatZodIssues(parsed.error.issues)}`);
}

/** defaults < file < env < flags, then validated once more as a whole. */
export function resolveConfig(layers: ConfigLayers): RepoConfig {
  let merged: unknown = {};
  const ordered: Array<[RepoConfigInput | null | undefined, string]> = [
    [layers.file, 'the config file'],
    [layers.env, 'the environment'],
    [layers.flags, 'command-line options'],
  ];
  for (const [layer, source] of ordered) {
    if (!layer) continue;
    // Each layer is checked on its own first so an error says where the bad value came from.
    validateLayer(layer, source);
    merged = mergeLayer(merged, layer);
  }
  const parsed = RepoConfig.safeParse(merged);
  if (!parsed.success) throw new ConfigError(`Invalid configuration: ${formatZodIssues(parsed.error.issues)}`);
  return parsed.data;
}
