import { isAbsolute, join } from 'node:path';

export type ServerForgeKind = 'github' | 'gitea';

/** A repository on one forge, as a webhook names it. */
export interface RepoRef {
  forge: ServerForgeKind;
  owner: string;
  repo: string;
}

/** Owner and repository names as both forges allow them; nothing that could climb out of a directory. */
const NAME = /^[A-Za-z0-9_.-]{1,100}$/u;

export function isValidRepoName(name: string): boolean {
  return NAME.test(name) && name !== '.' && name !== '..';
}

export function repoLabel(ref: RepoRef): string {
  return `${ref.forge}:${ref.owner}/${ref.repo}`;
}

/**
 * Where a repository's clone lives. The forge is part of the path so a GitHub and a Gitea
 * repository with the same name never share a clone.
 */
export function clonePath(dataDir: string, ref: RepoRef): string {
  return join(dataDir, 'repos', ref.forge, ref.owner, ref.repo);
}

export function auditLogPath(dataDir: string, ref: RepoRef): string {
  return join(dataDir, 'audit', ref.forge, ref.owner, `${ref.repo}.jsonl`);
}

export function scratchPath(dataDir: string): string {
  return join(dataDir, 'scratch');
}

/**
 * `{base}/{owner}/{repo}.git`: a URL when `base` has a scheme, else `base` is a local
 * directory holding `{owner}/{repo}.git` (tests and mirrors).
 */
export function remoteUrlFor(base: string, ref: RepoRef): string {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//u.test(base)) return `${base.replace(/\/+$/u, '')}/${ref.owner}/${ref.repo}.git`;
  if (!isAbsolute(base)) throw new Error(`SCRUM_APPLY_GIT_BASE_URL must be a URL or an absolute directory, got "${base}"`);
  return join(base, ref.owner, `${ref.repo}.git`);
}
