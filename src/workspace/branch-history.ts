import type { ScratchRepo } from './scratch-repo.js';

/**
 * True when every commit on `branchSha` that the base does not have (neither the remote's
 * tip nor ours) was authored and committed with `botEmail`: the branch holds nothing of a
 * person's, so rebuilding it loses nothing. An empty difference counts as the bot's.
 */
export async function isBotOnlyBranch(scratch: ScratchRepo, branchSha: string, baseTips: string[], botEmail: string): Promise<boolean> {
  const out = await scratch
    .git()
    .raw(['log', '--no-mailmap', '--format=%H%x00%ae%x00%ce', branchSha, '--not', ...baseTips, '--']);
  for (const line of out.split('\n')) {
    if (line.length === 0) continue;
    const [, author, committer] = line.split('\0');
    if (author !== botEmail || committer !== botEmail) return false;
  }
  return true;
}

/**
 * True when the remote branch already is what we would push: the same tree on the same
 * parents. Then pushing would only churn the branch (and its PR).
 */
export async function sameChange(scratch: ScratchRepo, remoteSha: string, commitSha: string): Promise<boolean> {
  const describe = async (sha: string) =>
    (await scratch.git().raw(['show', '-s', '--no-show-signature', '--format=%T %P', sha, '--'])).trim();
  const [remote, ours] = await Promise.all([describe(remoteSha), describe(commitSha)]);
  return remote.length > 0 && remote === ours;
}

/** The unified diff one commit made to one file (against its first parent), for the PR body. */
export async function diffForFile(scratch: ScratchRepo, commitSha: string, path: string): Promise<string> {
  return scratch
    .git()
    .raw([
      'diff',
      '--no-color',
      '--no-ext-diff',
      '--no-textconv',
      '--no-renames',
      `${commitSha}^1`,
      commitSha,
      '--',
      `:(literal)${path}`,
    ]);
}
