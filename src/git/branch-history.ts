import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import type { ObjectStore } from './object-store.js';
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
    const out = await scratch.run(['log', '--no-mailmap', '--format=%H%x00%ae%x00%ce', input.branchSha, '--not', ...input.baseTips, '--']);
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
export async function sameChange(objects: ObjectStore, remoteSha: string, commitSha: string): Promise<boolean> {
  const [remote, ours] = await Promise.all([objects.commitHeader(remoteSha), objects.commitHeader(commitSha)]);
  return remote.tree === ours.tree && remote.parents.join(' ') === ours.parents.join(' ');
}

/** The unified diff one commit made to one file (against its first parent), for the PR body. */
export async function diffForFile(objects: ObjectStore, commitSha: string, path: string): Promise<string> {
  const parent = (await objects.commitHeader(commitSha)).parents[0];
  const contentAt = async (commit: string | undefined) => {
    const entry = commit === undefined ? null : await objects.entryAt(commit, path);
    return entry?.type === 'blob' ? (await objects.blob(entry.sha)).toString('utf8') : '';
  };
  const [before, after] = await Promise.all([contentAt(parent), contentAt(commitSha)]);
  if (before === after) return '';
  return createTwoFilesPatch(`a/${path}`, `b/${path}`, before, after, undefined, undefined, { headerOptions: FILE_HEADERS_ONLY });
}
