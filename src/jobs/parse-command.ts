/** What a comment asks of the bot. */
export type ParsedCommand =
  | { type: 'none' }
  | { type: 'invalid'; message: string }
  | { type: 'command'; dryRun: boolean; force: boolean; maxFiles?: number; paths: string[] };

export type Command = Extract<ParsedCommand, { type: 'command' }>;

export const COMMAND_NAME = '/scrum-apply';
export const COMMAND_GRAMMAR = `${COMMAND_NAME} [dry-run] [force] [max-files=N] [path ...]`;

/** The config schema's own ceiling for maxFiles. */
export const MAX_FILES_LIMIT = 1000;
const MAX_PATHS = 50;
const MAX_PATH_LENGTH = 400;
const MAX_SHOWN = 60;

// C0/C1 controls, zero-width and bidi marks: a path with these is never one we would patch.
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/u;

/** A token as it may appear inside a code span in our reply. */
function shown(token: string): string {
  const clean = token.replace(UNSAFE_CHARACTERS, '?').replace(/`/g, "'");
  return clean.length > MAX_SHOWN ? `${clean.slice(0, MAX_SHOWN)}…` : clean;
}

function invalid(problem: string): ParsedCommand {
  return { type: 'invalid', message: problem };
}

/** Why a path token cannot be a repository path, or null when it may be one (the pipeline checks the rest). */
function pathProblem(token: string): string | null {
  if (token.length > MAX_PATH_LENGTH) return `a path is longer than ${MAX_PATH_LENGTH} characters`;
  if (UNSAFE_CHARACTERS.test(token)) return `\`${shown(token)}\` contains control or invisible characters`;
  if (token.startsWith('/')) return `\`${shown(token)}\` is an absolute path; give paths relative to the repository root`;
  if (token.includes('\\')) return `\`${shown(token)}\` contains a backslash; use "/" between directories`;
  if (token.split('/').some((part) => part === '..' || part === '.')) return `\`${shown(token)}\` contains a "." or ".." component`;
  if (token.includes('`')) return `\`${shown(token)}\` contains a backtick`;
  return null;
}

/**
 * Reads `/scrum-apply [dry-run] [force] [max-files=N] [path ...]` from the first line of a
 * comment (leading whitespace allowed). Anything else — the command quoted, in code, later
 * in the comment, or `/scrum-applyx` — is not a command at all, so ordinary discussion of
 * the bot never triggers it.
 */
export function parseCommand(body: string): ParsedCommand {
  const firstLine = body.trimStart().split(/\r?\n|\r/u, 1)[0] ?? '';
  if (!firstLine.startsWith(COMMAND_NAME)) return { type: 'none' };
  const rest = firstLine.slice(COMMAND_NAME.length);
  if (rest !== '' && !/^\s/u.test(rest)) return { type: 'none' };

  let dryRun = false;
  let force = false;
  let maxFiles: number | undefined;
  const paths: string[] = [];
  for (const token of rest.trim().split(/\s+/u).filter((t) => t !== '')) {
    if (token === 'dry-run') {
      dryRun = true;
    } else if (token === 'force') {
      force = true;
    } else if (token.startsWith('max-files=')) {
      const value = token.slice('max-files='.length);
      if (!/^[1-9][0-9]{0,3}$/u.test(value) || Number(value) > MAX_FILES_LIMIT) {
        return invalid(`\`${shown(token)}\`: N in max-files=N must be a whole number from 1 to ${MAX_FILES_LIMIT}`);
      }
      if (maxFiles !== undefined && maxFiles !== Number(value)) return invalid('max-files is given twice with different values');
      maxFiles = Number(value);
    } else if (token.startsWith('-') || token.includes('=')) {
      return invalid(`unknown option \`${shown(token)}\``);
    } else {
      const problem = pathProblem(token);
      if (problem) return invalid(problem);
      if (!paths.includes(token)) paths.push(token);
    }
  }
  if (paths.length > MAX_PATHS) return invalid(`at most ${MAX_PATHS} paths may be given`);
  return { type: 'command', dryRun, force, ...(maxFiles === undefined ? {} : { maxFiles }), paths };
}

/** The command's arguments in one canonical form: two comments asking the same thing share it. */
export function normalizedArguments(command: Command): string {
  const parts = [command.dryRun ? 'dry-run' : 'apply', command.force ? 'force' : 'no-force', `max-files=${command.maxFiles ?? 'default'}`];
  return [...parts, ...[...command.paths].sort()].join(' ');
}

/** The command as a person would type it, for the reply's header. */
export function commandText(command: Command): string {
  const parts = [COMMAND_NAME];
  if (command.dryRun) parts.push('dry-run');
  if (command.force) parts.push('force');
  if (command.maxFiles !== undefined) parts.push(`max-files=${command.maxFiles}`);
  return [...parts, ...command.paths].join(' ');
}
