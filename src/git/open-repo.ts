import { resolve } from 'node:path';
import { pino } from 'pino';
import type { Logger } from '../log/logger.js';
import { createRedactor } from '../log/redact.js';
import { branchNameFor } from './branch-name.js';
import { diffForFile, isBotOnlyBranch, sameChange } from './branch-history.js';
import { BOT_IDENTITY, commitFile, type CommitFileInput, type CommitIdentity } from './commit-file.js';
import { createObjectStore, type ObjectStore } from './object-store.js';
import { pushBranches, type PushRef } from './push-branch.js';
import { removeTree } from './remove-tree.js';
import { resolveBase } from './resolve-base.js';
import type { GitAuth } from './run-git.js';
import { createScratchRepo, type ScratchRepo } from './scratch-repo.js';
import { shallowDeepener } from './shallow-deepener.js';
import { packageDirOf, readTrackedFile, type TrackedFile } from './tracked-file.js';
import { openUserRepo, type UserRepo } from './user-repo.js';

export type { GitAuth } from './run-git.js';

export interface OpenRepoOptions {
  /** The user's work tree; it is only ever read. */
  repoDir: string;
  /** repoDir, when the caller has already opened it. */
  user?: UserRepo;
  /** Ours alone: the scratch repository, worktrees and temp files go here; dispose removes it. */
  scratchDir: string;
  base?: string;
  /** The remote's name in repoDir (default `origin`). */
  remote?: string;
  auth?: GitAuth | null;
  branchPrefix: string;
  identity?: CommitIdentity;
  logger?: Logger;
}

export interface Repo {
  readonly baseBranch: string;
  readonly baseSha: string;
  /** A regular UTF-8 file as the base commit has it; anything else is a reason. */
  readTrackedFile(path: string): Promise<TrackedFile>;
  /** The directory of the Cargo package holding `path` at the base (nearest tracked Cargo.toml); null if none. */
  packageDirOf(path: string): Promise<string | null>;
  /** A commit on the base replacing only `path`, by the bot; returns its sha. */
  commitFile(input: CommitFileInput): Promise<string>;
  /** Bot branches on the remote (name → sha) as fetched, updated by our own pushes. */
  remoteBranches(): Map<string, string>;
  /** Every commit on the branch beyond the base is the bot's (author and committer). */
  isBotOnlyBranch(branchSha: string): Promise<boolean>;
  /** The remote branch already holds exactly this commit's tree on the same parent. */
  sameChange(remoteSha: string, commitSha: string): Promise<boolean>;
  /** A commit's message (the bot's trailers are read from it). */
  commitMessage(sha: string): Promise<string>;
  /** Unified diff of `commitSha` against its parent, for `path` only. */
  diffForFile(commitSha: string, path: string): Promise<string>;
  /** Delete the remote branch, leased on `expectedSha`; throws a one-line, redacted error when refused. */
  deleteBranch(branch: string, expectedSha: string): Promise<void>;
  /**
   * Several force-with-lease pushes in one `git push`; per ref, null when it was pushed or
   * the one-line, redacted reason it was not (a refused ref does not stop the others).
   */
  pushMany(refs: PushRef[]): Promise<Array<string | null>>;
  /** The scratch repository, whose worktrees of the base commit the checks run in. */
  readonly scratch: ScratchRepo;
  /** Remove the scratch directory (worktrees, scratch repository, temp files). */
  dispose(): Promise<void>;
}

/**
 * Prepare to patch `repoDir` without touching it: a bare scratch repository borrowing the
 * user's objects, the base branch and bot branches fetched into it (or, offline, the user's
 * refs), and the base commit settled. Nothing is written to the user's repository, its
 * object store included.
 */
export async function openRepo(options: OpenRepoOptions): Promise<Repo> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const auth = options.auth ?? null;
  const redact = createRedactor([auth?.token]);
  const remote = options.remote ?? 'origin';
  const identity = options.identity ?? BOT_IDENTITY;
  const scratchDir = resolve(options.scratchDir);
  const prefix = options.branchPrefix;
  let objects: ObjectStore | null = null;
  // Whatever fails from here on, the scratch directory (ours alone) goes with it.
  try {
    if (prefix.length === 0 || prefix.startsWith('-') || branchNameFor(prefix, 'x') !== `${prefix}x`) {
      throw new Error(`invalid branch prefix: ${JSON.stringify(prefix)} (use letters, digits, ".", "_", "-" and "/")`);
    }
    const user = options.user ?? (await openUserRepo(options.repoDir));
    const [urls, scratch] = await Promise.all([
      user.remoteUrls(remote),
      createScratchRepo({ dir: scratchDir, objectsDir: user.objectsDir, objectFormat: user.objectFormat, shallowFile: user.shallowFile }),
    ]);
    const base = await resolveBase({
      user,
      scratch,
      remote,
      remoteUrl: urls?.fetch ?? null,
      base: options.base,
      branchPrefix: options.branchPrefix,
      auth,
      redact,
      logger,
    });
    await scratch.seal();
    objects = createObjectStore({ gitDir: scratch.gitDir, objectFormat: user.objectFormat });
    const botBranches = base.botBranches;
    const store = objects;
    const pushMany = async (refs: PushRef[]): Promise<Array<string | null>> => {
      if (urls === null) return refs.map(() => `${user.topLevel} has no remote named ${remote}`);
      const reasons = await pushBranches(scratch, { url: urls.push, auth, redact }, refs);
      refs.forEach((ref, i) => {
        if (reasons[i] !== null) return;
        if (ref.commitSha === '') botBranches.delete(ref.branch);
        else botBranches.set(ref.branch, ref.commitSha);
      });
      return reasons;
    };
    const deepen = shallowDeepener({
      shallow: user.shallowFile !== null && base.online,
      url: urls?.fetch ?? null,
      auth,
      baseBranch: base.baseBranch,
      scratch,
      logger,
      redact,
    });

    return {
      baseBranch: base.baseBranch,
      baseSha: base.baseSha,
      readTrackedFile: (path) => readTrackedFile(store, base.baseSha, path),
      packageDirOf: (path) => packageDirOf(store, base.baseSha, path),
      commitFile: (input) => commitFile(store, { baseSha: base.baseSha, identity }, input),
      remoteBranches: () => new Map(botBranches),
      isBotOnlyBranch: (branchSha) => isBotOnlyBranch(scratch, { branchSha, baseTips: base.baseTips, botEmail: identity.email, deepen }),
      sameChange: (remoteSha, commitSha) => sameChange(store, remoteSha, commitSha),
      diffForFile: (commitSha, path) => diffForFile(store, commitSha, path),
      commitMessage: (sha) => store.commitMessage(sha),
      async deleteBranch(branch, expectedSha) {
        if (urls === null) throw new Error(`cannot delete ${branch}: ${user.topLevel} has no remote named ${remote}`);
        const [reason] = await pushMany([{ branch, commitSha: '', expectedRemoteSha: expectedSha }]);
        if (reason !== null) throw new Error(`deleting ${branch} was rejected: ${reason ?? 'git said nothing about it'}`);
      },
      pushMany,
      scratch,
      async dispose() {
        store.close();
        await removeTree(scratchDir);
      },
    };
  } catch (error) {
    objects?.close();
    // The failure that got us here is the one to report; one in removing the directory rides along.
    await removeTree(scratchDir).catch((cleanup: unknown) => {
      throw new AggregateError([error, cleanup], `${error instanceof Error ? error.message : String(error)} (and ${scratchDir} could not be removed)`);
    });
    throw error;
  }
}
