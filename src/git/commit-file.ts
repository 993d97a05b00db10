import { checkPathSyntax } from '../reviews/path-safety.js';
import type { ObjectStore } from './object-store.js';
import { entryProblem, type FileMode } from './tracked-file.js';

export interface CommitIdentity {
  name: string;
  email: string;
}

export const BOT_IDENTITY: CommitIdentity = {
  name: 'scrum-apply[bot]',
  email: 'scrum-apply[bot]@users.noreply.github.com',
};

export interface CommitFileInput {
  path: string;
  content: Buffer;
  mode: FileMode;
  message: string;
}

/**
 * A commit on top of `baseSha` whose tree is the base's with only `path` replaced by
 * `content`, built from git objects alone: the bytes go in as a blob exactly as given (no
 * filters, no line-ending conversion), so no worktree — and nothing a build left in one —
 * can reach the commit.
 */
export async function commitFile(
  objects: ObjectStore,
  options: { baseSha: string; identity: CommitIdentity },
  input: CommitFileInput,
): Promise<string> {
  const syntax = checkPathSyntax(input.path);
  if (!syntax.ok) throw new Error(`cannot commit ${JSON.stringify(input.path)}: ${syntax.reason}`);
  const problem = entryProblem(await objects.entryAt(options.baseSha, input.path), options.baseSha);
  if (problem !== null) throw new Error(`cannot commit ${input.path}: it ${problem}`);
  return objects.commitReplacing({
    parent: options.baseSha,
    path: input.path,
    content: input.content,
    mode: input.mode,
    identity: options.identity,
    message: input.message,
  });
}
