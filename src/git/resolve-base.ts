import type { Logger } from '../log/logger.js';
import type { Redactor } from '../log/redact.js';
import { isCleanRefName } from './branch-name.js';
import { exitedWith, type GitAuth } from './run-git.js';
import { FETCHED_PREFIX, fetchBranches, remoteDefaultBranch } from './remote-sync.js';
import type { ScratchRepo } from './scratch-repo.js';
import type { UserRepo } from './user-repo.js';

export interface BaseResolution {
  baseBranch: string;
  baseSha: string;
  /** The base as the remote has it and as the user has it: history behind these is not the branch's own. */
  baseTips: string[];
  /** Bot branches on the remote (name → sha): fetched, or the user's last-known copy when offline. */
  botBranches: Map<string, string>;
  /** The remote answered (its refs are in the scratch repository). */
  online: boolean;
}

export interface ResolveBaseInput {
  user: UserRepo;
  scratch: ScratchRepo;
  /** The remote's name in the user's repository. */
  remote: string;
  remoteUrl: string | null;
  base: string | undefined;
  branchPrefix: string;
  auth: GitAuth | null;
  redact: Redactor;
  logger: Logger;
}

/**
 * Pick the base branch (`base`, else the remote's default branch, else the user's record of
 * it, else the current branch), fetch it and the bot branches into the scratch repository,
 * and settle the base commit: the remote's tip when we could fetch it, else the local branch.
 */
export async function resolveBase(input: ResolveBaseInput): Promise<BaseResolution> {
  const { user, scratch, remote, logger } = input;
  let online = input.remoteUrl !== null;
  if (!online) logger.info({ remote }, 'no such remote; using local refs');
  let remoteDefault: string | null = null;
  if (input.remoteUrl !== null && input.base === undefined) {
    const answer = await remoteDefaultBranch(scratch, input.remoteUrl, input.auth, input.redact);
    if (answer.ok) remoteDefault = answer.value;
    else {
      online = false;
      logger.warn({ remote, reason: answer.reason }, 'cannot reach the remote; using local refs');
    }
  }

  const baseBranch =
    normaliseBranch(input.base) ?? remoteDefault ?? (await user.remoteHeadBranch(remote)) ?? (await user.currentBranch());
  if (baseBranch === null) {
    throw new Error(`cannot tell which branch to patch in ${user.topLevel}: HEAD is detached and ${remote} names no default branch; pass --base`);
  }
  // Names like `main` or `release/1.2` need no git process to vouch for them; anything else
  // is git's call: exit 1 means an invalid name, and --normalize must leave a valid one as is.
  const normalised = isCleanRefName(baseBranch)
    ? `refs/heads/${baseBranch}`
    : await scratch.run(['check-ref-format', '--normalize', `refs/heads/${baseBranch}`]).then(
        (out) => out.trim(),
        (error: unknown) => {
          if (exitedWith(error, 1)) return null;
          throw error;
        },
      );
  if (normalised !== `refs/heads/${baseBranch}`) throw new Error(`invalid base branch: ${JSON.stringify(baseBranch)}`);

  let baseFetched = false;
  if (online && input.remoteUrl !== null) {
    const fetched = await fetchBranches(scratch, {
      url: input.remoteUrl,
      auth: input.auth,
      baseBranch,
      branchPrefix: input.branchPrefix,
      redact: input.redact,
    });
    if (fetched.ok) {
      baseFetched = fetched.value.baseFetched;
      if (!baseFetched) logger.warn({ remote, base: baseBranch }, 'the base branch is not on the remote; using the local branch');
    } else {
      online = false;
      logger.warn({ remote, reason: fetched.reason }, 'cannot fetch from the remote; using local refs');
    }
  }

  const trackingRef = `refs/remotes/${remote}/${baseBranch}`;
  // One listing of what was fetched: the base and the bot branches.
  const fetchedRefs = online ? await refsIn(scratch, FETCHED_PREFIX) : new Map<string, { sha: string; commit: string | null }>();
  const fetchedBase = baseFetched ? fetchedRefs.get(`${FETCHED_PREFIX}${baseBranch}`) : undefined;
  const fetchedSha = fetchedBase?.commit ?? null;
  const localSha = fetchedSha === null ? ((await user.commitOf(`refs/heads/${baseBranch}`)) ?? (await user.commitOf(trackingRef))) : null;
  const baseSha = fetchedSha ?? localSha;
  if (baseSha === null) {
    const remoteSide =
      input.remoteUrl === null ? `there is no remote "${remote}"` : online ? `not on ${remote}` : `${remote} could not be reached`;
    throw new Error(`base branch not found: ${baseBranch} (${remoteSide}, and not a local branch of ${user.topLevel})`);
  }
  const trackingSha = fetchedSha === null ? await user.commitOf(trackingRef) : null;
  const baseTips = [...new Set([baseSha, ...(trackingSha === null ? [] : [trackingSha])])];

  const botBranches = new Map<string, string>();
  if (input.remoteUrl !== null) {
    const namespace = online ? FETCHED_PREFIX : `refs/remotes/${remote}/`;
    const refs = online ? new Map([...fetchedRefs].map(([ref, { sha }]) => [ref, sha])) : await user.refsUnder(namespace);
    for (const [ref, sha] of refs) {
      const branch = ref.slice(namespace.length);
      if (ref.startsWith(namespace) && branch.startsWith(input.branchPrefix) && branch !== baseBranch && branch !== 'HEAD') {
        botBranches.set(branch, sha);
      }
    }
  }
  logger.debug({ base: baseBranch, sha: baseSha, online, botBranches: botBranches.size }, 'resolved the base');
  return { baseBranch, baseSha, baseTips, botBranches, online };
}

function normaliseBranch(base: string | undefined): string | null {
  if (base === undefined || base.length === 0) return null;
  return base.startsWith('refs/heads/') ? base.slice('refs/heads/'.length) : base;
}

/** Refs under `prefix`: the object each names and the commit it leads to (a tag peeled), if any. */
async function refsIn(scratch: ScratchRepo, prefix: string): Promise<Map<string, { sha: string; commit: string | null }>> {
  const out = await scratch.run(['for-each-ref', '--format=%(refname)%00%(objectname)%00%(objecttype)%00%(*objectname)%00%(*objecttype)', prefix]);
  const refs = new Map<string, { sha: string; commit: string | null }>();
  for (const line of out.split('\n')) {
    const [name, sha, type, peeled, peeledType] = line.split('\0');
    if (!name || !sha) continue;
    refs.set(name, { sha, commit: type === 'commit' ? sha : peeledType === 'commit' && peeled ? peeled : null });
  }
  return refs;
}
