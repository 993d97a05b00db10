import type { Logger } from '../log/logger.js';
import type { Redactor } from '../log/redact.js';
import type { GitAuth } from './run-git.js';
import { gitErrorText } from './git-errors.js';
import { unshallowBase } from './remote-sync.js';
import type { ScratchRepo } from './scratch-repo.js';

/**
 * For a shallow user clone: fetch the base's full history into the scratch repository, once,
 * when first needed. Failing that (offline), the conservative answer stands.
 */
export function shallowDeepener(input: {
  shallow: boolean;
  url: string | null;
  auth: GitAuth | null;
  baseBranch: string;
  scratch: ScratchRepo;
  logger: Logger;
  redact: Redactor;
}): (() => Promise<boolean>) | undefined {
  const { url } = input;
  if (!input.shallow || url === null) return undefined;
  let deepened: Promise<boolean> | null = null;
  return () => {
    deepened ??= (async () => {
      input.logger.info({ base: input.baseBranch }, 'fetching the full base history to check a branch (shallow clone)');
      try {
        await unshallowBase(input.scratch, { url, auth: input.auth, baseBranch: input.baseBranch });
        return true;
      } catch (error) {
        input.logger.warn({ reason: gitErrorText(error, input.redact) }, 'cannot deepen the shallow history');
        return false;
      }
    })();
    return deepened;
  };
}
