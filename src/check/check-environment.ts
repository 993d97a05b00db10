import { realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { FALLBACK_PATH } from './check-command.js';

/** The only variables of the bot's environment a check (or `cargo fetch`) ever sees. */
export const CHECK_ENV_ALLOW_LIST = ['PATH', 'HOME', 'CARGO_HOME', 'RUSTUP_HOME', 'RUSTUP_TOOLCHAIN', 'LANG'] as const;
type Allowed = (typeof CHECK_ENV_ALLOW_LIST)[number];

export interface CheckEnvironmentOptions {
  /** CARGO_TARGET_DIR; omitted when undefined. */
  targetDir?: string;
  /** Adds CARGO_NET_OFFLINE=true. */
  offline: boolean;
  /** Values that replace the bot's (the sandbox's own HOME, resolved toolchain homes). */
  overrides?: Partial<Record<Allowed, string>>;
}

/**
 * The whole environment of a check: the allow-list taken from `env` (when set) plus cargo's
 * settings. Built up from nothing, so a token in the bot's environment cannot leak in.
 */
export function checkEnvironment(env: NodeJS.ProcessEnv, options: CheckEnvironmentOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of CHECK_ENV_ALLOW_LIST) {
    const value = options.overrides?.[name] ?? env[name];
    if (value !== undefined && value !== '') out[name] = value;
  }
  out.PATH ??= FALLBACK_PATH;
  if (options.targetDir !== undefined) out.CARGO_TARGET_DIR = options.targetDir;
  out.CARGO_TERM_COLOR = 'never';
  if (options.offline) out.CARGO_NET_OFFLINE = 'true';
  return out;
}

export interface ToolchainHomes {
  cargoHome: string;
  rustupHome: string;
}

/**
 * CARGO_HOME and RUSTUP_HOME as real paths. They default to ~/.cargo and ~/.rustup, so they
 * must be spelled out wherever HOME is replaced (in the sandbox, for `cargo fetch`).
 */
export async function toolchainHomes(env: NodeJS.ProcessEnv): Promise<ToolchainHomes> {
  const home = env.HOME || homedir();
  return {
    cargoHome: await realOrResolved(env.CARGO_HOME || join(home, '.cargo')),
    rustupHome: await realOrResolved(env.RUSTUP_HOME || join(home, '.rustup')),
  };
}

async function realOrResolved(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    // Not there (yet): the path as given; the sandbox then mounts nothing for it.
    return resolve(path);
  }
}
