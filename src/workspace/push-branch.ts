import type { Redactor } from '../report/redact.js';
import type { GitAuth } from './git.js';
import { gitErrorText } from './git-errors.js';
import type { ScratchRepo } from './scratch-repo.js';

export interface PushInput {
  url: string;
  auth: GitAuth | null;
  branch: string;
  commitSha: string;
  /** The remote tip we built on; null: the branch must not exist yet. */
  expectedRemoteSha: string | null;
  redact: Redactor;
}

/**
 * Push `commitSha` to `refs/heads/<branch>` from the scratch repository, leased on the tip we
 * saw: if anyone moved the branch since, the push is refused rather than overwriting them.
 * No hooks; credentials go to git through its environment only.
 */
export async function pushBranch(scratch: ScratchRepo, input: PushInput): Promise<void> {
  await scratch.assertIntact();
  const ref = `refs/heads/${input.branch}`;
  try {
    const out = await scratch
      .git({ auth: input.auth })
      .raw([
        'push',
        '--porcelain',
        '--no-verify',
        '--no-signed',
        '--recurse-submodules=no',
        `--force-with-lease=${ref}:${input.expectedRemoteSha ?? ''}`,
        '--end-of-options',
        input.url,
        `${input.commitSha}:${ref}`,
      ]);
    const refused = refusal(out, ref);
    if (refused !== null) throw new Error(refused);
  } catch (error) {
    const reason = refusal(error instanceof Error ? error.message : String(error), ref) ?? gitErrorText(error, input.redact);
    throw new Error(`push to ${input.branch} was rejected: ${input.redact(reason)}`, { cause: error });
  }
}

/** The porcelain status line for `ref` when it says the ref was not updated (`!`). */
function refusal(output: string, ref: string): string | null {
  for (const line of output.split('\n')) {
    const [flag, refs, summary, reason] = line.split('\t');
    if (flag === '!' && refs?.endsWith(`:${ref}`)) return [summary, reason].filter(Boolean).join(' ').trim() || 'rejected';
  }
  return null;
}
