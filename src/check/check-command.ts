import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/** Used when the bot's environment has no PATH at all. */
export const FALLBACK_PATH = '/usr/local/bin:/usr/bin:/bin';

/**
 * The check command as argv: split on whitespace, no shell, so nothing in the config is
 * ever interpreted (no globs, pipes, `$VAR`, quotes).
 */
export function parseCommand(command: string): string[] {
  return command.split(/\s+/).filter((word) => word.length > 0);
}

/**
 * Where `name` would be executed from: a name with a slash is taken relative to `cwd`,
 * anything else is looked up on `pathValue`. Null when there is no such executable file.
 * Empty PATH entries (meaning "the current directory") are ignored on purpose: the current
 * directory of a check is repository code.
 */
export async function findExecutable(name: string, pathValue: string, cwd: string): Promise<string | null> {
  if (name.includes('/')) {
    const candidate = isAbsolute(name) ? name : resolve(cwd, name);
    return (await isExecutableFile(candidate)) ? candidate : null;
  }
  for (const dir of pathValue.split(delimiter)) {
    if (!isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return null;
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    // Missing or not executable: the PATH search goes on.
    return false;
  }
}
