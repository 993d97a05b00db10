import type { Redactor } from '../log/redact.js';
import { gitErrorText, isAuthFailure, isMissingRemoteRef } from './git-errors.js';
import { GitError, type GitAuth } from './run-git.js';
import type { ScratchRepo } from './scratch-repo.js';

/**
 * Every fetch we make: no tags, no submodules, no FETCH_HEAD, no gc or maintenance, and the
 * URL never read as an option.
 */
const FETCH_FLAGS = [
  '--quiet',
  '--no-tags',
  '--no-recurse-submodules',
  '--no-write-fetch-head',
  '--no-auto-gc',
  '--no-auto-maintenance',
  '--end-of-options',
];

/** Where fetched branches land in the scratch repository, whatever the user calls the remote. */
export const FETCHED_PREFIX = 'refs/remotes/origin/';

export type RemoteAnswer<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * The remote's default branch (`ls-remote --symref <url> HEAD`). An authentication failure
 * throws; any other failure (offline, no such host) is a result, so the caller can fall back.
 */
export async function remoteDefaultBranch(
  scratch: ScratchRepo,
  url: string,
  auth: GitAuth | null,
  redact: Redactor,
): Promise<RemoteAnswer<string | null>> {
  try {
    const out = await scratch.run(['ls-remote', '--symref', '--end-of-options', url, 'HEAD'], { auth });
    const match = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(out);
    return { ok: true, value: match?.[1] ?? null };
  } catch (error) {
    return remoteFailure(error, url, redact);
  }
}

/**
 * Fetch the base branch and every `refs/heads/<prefix>*` into `refs/remotes/origin/*` of the
 * scratch repository: no tags, no submodules. A base the remote lacks is not fatal (the bot
 * branches still come); the caller then uses the local branch.
 */
export async function fetchBranches(
  scratch: ScratchRepo,
  options: { url: string; auth: GitAuth | null; baseBranch: string; branchPrefix: string; redact: Redactor },
): Promise<RemoteAnswer<{ baseFetched: boolean }>> {
  const botSpec = `+refs/heads/${options.branchPrefix}*:${FETCHED_PREFIX}${options.branchPrefix}*`;
  const baseSpec = `+refs/heads/${options.baseBranch}:${FETCHED_PREFIX}${options.baseBranch}`;
  const fetch = (specs: string[]) => scratch.run(['fetch', ...FETCH_FLAGS, options.url, ...specs], { auth: options.auth });
  try {
    await fetch([baseSpec, botSpec]);
    return { ok: true, value: { baseFetched: true } };
  } catch (error) {
    if (!(error instanceof GitError && isMissingRemoteRef(error.stderr))) return remoteFailure(error, options.url, options.redact);
  }
  try {
    await fetch([botSpec]);
    return { ok: true, value: { baseFetched: false } };
  } catch (error) {
    return remoteFailure(error, options.url, options.redact);
  }
}

/**
 * Fetch the base branch's whole history into a scratch repository that started shallow (the
 * user's clone was). Only needed to tell old base commits from a branch's own.
 */
export async function unshallowBase(
  scratch: ScratchRepo,
  options: { url: string; auth: GitAuth | null; baseBranch: string },
): Promise<void> {
  await scratch.assertIntact();
  await scratch.run(['fetch', '--unshallow', ...FETCH_FLAGS, options.url, `+refs/heads/${options.baseBranch}:${FETCHED_PREFIX}${options.baseBranch}`], {
    auth: options.auth,
  });
}

/** A remote that said no (or could not be reached) is an answer; anything but git failing is not. */
function remoteFailure(error: unknown, url: string, redact: Redactor): { ok: false; reason: string } {
  if (!(error instanceof GitError)) throw error;
  const reason = gitErrorText(error, redact);
  if (isAuthFailure(reason)) {
    throw new Error(`cannot read ${redact(url)}: ${reason} (check the token and its repository access)`, { cause: error });
  }
  return { ok: false, reason };
}
