import type { Redactor } from '../log/redact.js';
import { GitError } from './run-git.js';

/**
 * What a failed git command said (its stderr; the error's message when git said nothing), on
 * one line, redacted, without git's `fatal:`/`error:` noise.
 */
export function gitErrorText(error: unknown, redact: Redactor): string {
  const raw = error instanceof GitError ? error.stderr.trim() || error.message : error instanceof Error ? error.message : String(error);
  const lines = redact(raw)
    .split(/\r?\n/)
    .map((line) => line.replace(/^(fatal|error|remote|warning|hint):\s*/i, '').trim())
    .filter((line) => line.length > 0 && !/^hint:/i.test(line));
  const text = lines.join('; ');
  return text.length > 500 ? `${text.slice(0, 497)}...` : text || 'git failed without a message';
}

/**
 * Failures that more credentials (or the right ones) would fix. These stop the run: falling
 * back to stale local refs would hide a misconfigured token until the push fails.
 */
export function isAuthFailure(message: string): boolean {
  return /authentication failed|could not read (username|password)|terminal prompts disabled|invalid username or password|bad credentials|permission denied|access denied|repository not found|returned error: 40[13]|\b40[13]\b.*(unauthori[sz]ed|forbidden)|unauthori[sz]ed|forbidden/i.test(
    message,
  );
}

/** A branch or ref the remote does not have (as opposed to a remote we cannot reach). */
export function isMissingRemoteRef(message: string): boolean {
  return /couldn't find remote ref|could not find remote ref/i.test(message);
}
