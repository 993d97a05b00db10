import type { ScratchRepo } from './scratch-repo.js';

/**
 * True when every commit on `branchSha` that the base does not have (neither the remote's
 * tip nor ours) was authored and committed with `botEmail`: the branch holds nothing of a
 * person's, so rebuilding it loses nothing. An empty difference counts as the bot's.
 *
 * In a shallow repository the base's history stops early, so older base commits look like
 * the branch's own; `deepen` (fetch the base's full history) is then tried once before a
 * "no" is believed.
 */
export async function isBotOnlyBranch(
  scratch: ScratchRepo,
  input: { branchSha: string; baseTips: string[]; botEmail: string; deepen?: () => Promise<boolean> },
): Promise<boolean> {
  const botOnly = async () => {
    const out = await scratch
      .git()
      .raw(['log', '--no-mailmap', '--format=%H%x00%ae%x00%ce', input.branchSha, '--not', ...input.baseTips, '--']);
    return out
      .split('\n')
      .filter((line) => line.length > 0)
      .every((line) => {
        const [, author, committer] = line.split('\0');
        return author === input.botEmail && committer === input.botEmail;
      });
  };
  if (await botOnly()) return true;
  return input.deepen !== undefined && (await input.deepen()) && (await botOnly());
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
