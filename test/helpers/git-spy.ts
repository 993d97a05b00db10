import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * A `git` wrapper put first on PATH: it records the argv of every git process (and the config
 * file of the repository it runs in) and then runs the real git. Our git commands get an
 * allow-listed environment, so the log paths are written into the script itself.
 */
export interface GitSpy {
  /** One entry per git process: its arguments. */
  argv(): string[][];
  /** Every config file the git processes saw, concatenated. */
  configs(): string;
  /** Put the wrapper first on this process's PATH (our git commands inherit it) until `restore`. */
  install(): void;
  restore(): void;
}

export function createGitSpy(dir: string): GitSpy {
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  const bin = join(dir, 'bin');
  const argvLog = join(dir, 'git-argv.log');
  const configLog = join(dir, 'git-configs.log');
  mkdirSync(bin, { recursive: true });
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  writeFileSync(
    join(bin, 'git'),
    [
      '#!/bin/sh',
      // Each argument NUL-terminated, each process's record ended by \x01 and a newline.
      `{ for arg in "$@"; do printf '%s\\0' "$arg"; done; printf '\\001\\n'; } >> ${quote(argvLog)}`,
      // The config of the repository git works in (not for a test's git server, which runs elsewhere).
      `[ "$1" = http-backend ] || for f in "\${GIT_DIR:-.}/config" ./.git/config; do [ -f "$f" ] && cat "$f" >> ${quote(configLog)}; done`,
      `exec ${quote(realGit)} "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(join(bin, 'git'), 0o755);
  let saved: string | undefined;
  return {
    argv: () =>
      existsSync(argvLog)
        ? readFileSync(argvLog, 'utf8')
            .split('\x01\n')
            .filter((record) => record.length > 0)
            .map((record) => record.split('\0').filter((_, i, all) => i < all.length - 1))
        : [],
    configs: () => (existsSync(configLog) ? readFileSync(configLog, 'utf8') : ''),
    install() {
      saved = process.env.PATH;
      process.env.PATH = `${bin}${delimiter}${saved ?? ''}`;
    },
    restore() {
      if (saved === undefined) delete process.env.PATH;
      else process.env.PATH = saved;
    },
  };
}
