import type { Permission } from '../forge/types.js';
import { COMMAND_GRAMMAR } from './parse-command.js';

/*
 * Every reply starts with "scrum-apply" (no slash), so the bot's own comments can never
 * read as a command, whatever the bot check makes of its account.
 */

/** GitHub refuses comments over 65,536 characters; Gitea has no hard limit but pages suffer. */
export const MAX_REPLY_LENGTH = 60_000;

const GRAMMAR_HELP = [
  `Usage, on the first line of a comment: \`${COMMAND_GRAMMAR}\``,
  '',
  '- `dry-run`: ask, gate and check the patches, but push nothing and open no pull request',
  '- `force`: rebuild and republish a file\'s pull request even when its patch is unchanged',
  '- `max-files=N`: process at most N files this time (1 to 1000)',
  '- `path ...`: only these files (paths relative to the repository root)',
].join('\n');

export function invalidCommandReply(problem: string): string {
  return `scrum-apply did not understand this command: ${problem}.\n\n${GRAMMAR_HELP}\n`;
}

export function refusalReply(permission: Permission | null): string {
  const why =
    permission === null
      ? 'I could not confirm your permission on this repository, so I did not run'
      : `it needs write, maintain or admin permission on this repository, and yours is \`${permission}\``;
  return `scrum-apply: sorry, I can only run for maintainers — ${why}. Nothing was cloned, sent or built.\n`;
}

export function duplicateReply(): string {
  return 'scrum-apply: the same command is already queued or running for this repository; its results will be posted when it finishes.\n';
}

export function shuttingDownReply(): string {
  return 'scrum-apply: the server is shutting down and did not queue this command. Please comment again in a few minutes.\n';
}

export function droppedReply(): string {
  return 'scrum-apply: the server shut down before this command ran. Please comment again in a few minutes.\n';
}

export function configErrorReply(message: string): string {
  return `scrum-apply did not run: the repository's configuration is invalid.\n\n> ${message.replace(/\s*\n\s*/g, ' ')}\n\nFix the file on the default branch and comment again.\n`;
}

export function refusedSettingReply(message: string): string {
  return `scrum-apply did not run: ${message}\n`;
}

export function failureReply(message: string): string {
  return `scrum-apply could not finish this run: ${message}\n\nNothing more will happen for this command; comment again to retry.\n`;
}

/** The results table, cut to what a comment may hold. */
export function resultsReply(markdown: string, requestedBy: string, command: string): string {
  const header = `scrum-apply results for \`${command}\` (requested by ${requestedBy.replace(/[^A-Za-z0-9_.[\]-]/g, '')})\n\n`;
  const text = `${header}${markdown}`;
  if (text.length <= MAX_REPLY_LENGTH) return text;
  const note = '\n\n… (cut: the full report is in the audit log)\n';
  return `${text.slice(0, MAX_REPLY_LENGTH - note.length)}${note}`;
}
