import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkPathSyntax } from '../reviews/path-safety.js';
import type { ScratchRepo } from './scratch-repo.js';
import { entryProblem, treeEntry, type FileMode } from './tracked-file.js';

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

const OBJECT_ID = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/**
 * A commit on top of `baseSha` whose tree is the base's with only `path` replaced by
 * `content`, built from git objects alone: the bytes go in as a blob exactly as given (no
 * filters, no line-ending conversion), through a private index, so no worktree — and nothing
 * a build left in one — can reach the commit.
 */
export async function commitFile(
  scratch: ScratchRepo,
  options: { baseSha: string; identity: CommitIdentity; tmpDir: string },
  input: CommitFileInput,
): Promise<string> {
  const syntax = checkPathSyntax(input.path);
  if (!syntax.ok) throw new Error(`cannot commit ${JSON.stringify(input.path)}: ${syntax.reason}`);
  const problem = entryProblem(await treeEntry(scratch, options.baseSha, input.path), options.baseSha);
  if (problem !== null) throw new Error(`cannot commit ${input.path}: it ${problem}`);

  await mkdir(options.tmpDir, { recursive: true });
  const stem = join(options.tmpDir, `commit-${randomBytes(8).toString('hex')}`);
  const blobFile = `${stem}.blob`;
  const indexFile = `${stem}.index`;
  try {
    await writeFile(blobFile, input.content, { mode: 0o600 });
    const blob = objectId(await scratch.git().raw(['hash-object', '-w', '--no-filters', '--', blobFile]), 'hash-object');
    const indexed = scratch.git({ env: { GIT_INDEX_FILE: indexFile } });
    await indexed.raw(['read-tree', options.baseSha]);
    await indexed.raw(['update-index', '--add', '--cacheinfo', input.mode, blob, input.path]);
    const tree = objectId(await indexed.raw(['write-tree']), 'write-tree');
    const { name, email } = options.identity;
    const author = { GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: email };
    const commit = await scratch.git({ env: author }).raw(['commit-tree', tree, '-p', options.baseSha, '-m', input.message]);
    return objectId(commit, 'commit-tree');
  } finally {
    await rm(blobFile, { force: true });
    await rm(indexFile, { force: true });
  }
}

function objectId(output: string, command: string): string {
  const id = output.trim();
  if (!OBJECT_ID.test(id)) throw new Error(`git ${command} printed no object id`);
  return id;
}
