import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import type { RepoConfig } from '../config/config-schema.js';

export type PolicyResult = { ok: true; config: RepoConfig } | { ok: false; reason: string };

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && rel !== '..' && !rel.startsWith('../') && !isAbsolute(rel);
}

/**
 * What a repository's config may ask of a shared server, beyond what the schema checks:
 * the check runs in a sandbox unless the config opts out twice (`check.sandbox: none` plus
 * `check.allowUnsandboxed: true`), and `auto` means bwrap or nothing — never a silent fall
 * back to running repository code unsandboxed. The review log must be a file of the
 * repository, not a path (or symlink) to the server's own files.
 */
export async function applyServerPolicy(config: RepoConfig, repoDir: string): Promise<PolicyResult> {
  const { check } = config;
  if (check.sandbox === 'none' && !check.allowUnsandboxed) {
    return {
      ok: false,
      reason:
        'check.sandbox is "none", and this server runs checks unsandboxed only when the config also sets ' +
        'check.allowUnsandboxed: true (the check runs repository code, with network access).',
    };
  }
  const sandbox = check.sandbox === 'auto' && !check.allowUnsandboxed ? 'bwrap' : check.sandbox;

  const root = await realpath(repoDir);
  const reviews = resolve(root, config.reviews);
  if (isAbsolute(config.reviews) || !inside(root, reviews)) {
    return { ok: false, reason: `reviews must be a path inside the repository, got "${config.reviews.slice(0, 200)}".` };
  }
  // A log that does not exist (yet) leads nowhere; the run reports it missing.
  const target = await realpath(reviews).catch(() => null);
  if (target !== null && !inside(root, target)) {
    return { ok: false, reason: `reviews (${config.reviews.slice(0, 200)}) leads outside the repository through a symbolic link.` };
  }
  return { ok: true, config: { ...config, check: { ...check, sandbox } } };
}
