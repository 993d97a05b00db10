import type { Redactor } from '../log/redact.js';
import { gitErrorText } from './git-errors.js';
import { GitError, type GitAuth } from './run-git.js';
import type { ScratchRepo } from './scratch-repo.js';

export interface PushRef {
  branch: string;
  /** The commit to push; '' deletes the branch. */
  commitSha: string;
  /** The remote tip we built on; null: the branch must not exist yet. */
  expectedRemoteSha: string | null;
}

export interface PushTarget {
  url: string;
  auth: GitAuth | null;
  redact: Redactor;
}

/**
 * Push each ref's commit to `refs/heads/<branch>` from the scratch repository in one `git
 * push`, every ref leased on the tip we saw: if anyone moved a branch since, that ref is
 * refused rather than overwriting them (the others still go). No hooks; credentials go to git
 * through its environment only. Returns, per ref in order, null when it was pushed or the
 * one-line, redacted reason it was not.
 */
export async function pushBranches(scratch: ScratchRepo, target: PushTarget, refs: readonly PushRef[]): Promise<Array<string | null>> {
  if (refs.length === 0) return [];
  await scratch.assertIntact();
  const remoteRef = (ref: PushRef) => `refs/heads/${ref.branch}`;
  let output: string;
  let failure: GitError | null = null;
  try {
    output = await scratch.run(
      [
        'push',
        '--porcelain',
        '--no-verify',
        '--no-signed',
        '--recurse-submodules=no',
        ...refs.map((ref) => `--force-with-lease=${remoteRef(ref)}:${ref.expectedRemoteSha ?? ''}`),
        '--end-of-options',
        target.url,
        ...refs.map((ref) => `${ref.commitSha}:${remoteRef(ref)}`),
      ],
      { auth: target.auth },
    );
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    // A refused ref fails the whole command; its status line is still in the output.
    failure = error;
    output = error.stdout;
  }
  const statuses = porcelainStatuses(output);
  return refs.map((ref) => {
    const status = statuses.get(remoteRef(ref));
    if (status !== undefined) return status.flag === '!' ? target.redact(status.reason) : null;
    return failure === null ? null : gitErrorText(failure, target.redact);
  });
}

/** `git push --porcelain` lines: flag, `from:to`, summary, reason — by destination ref. */
function porcelainStatuses(output: string): Map<string, { flag: string; reason: string }> {
  const statuses = new Map<string, { flag: string; reason: string }>();
  for (const line of output.split('\n')) {
    const [flag, refs, summary, reason] = line.split('\t');
    const to = refs?.split(':')[1];
    if (flag === undefined || flag.length !== 1 || !to) continue;
    statuses.set(to, { flag, reason: [summary, reason].filter(Boolean).join(' ').trim() || 'rejected' });
  }
  return statuses;
}
