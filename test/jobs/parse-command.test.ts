import { describe, expect, it } from 'vitest';
import { commandText, normalizedArguments, parseCommand, type Command } from '../../src/jobs/parse-command.js';

function command(body: string): Command {
  const parsed = parseCommand(body);
  if (parsed.type !== 'command') throw new Error(`expected a command, got ${JSON.stringify(parsed)}`);
  return parsed;
}

function invalidMessage(body: string): string {
  const parsed = parseCommand(body);
  if (parsed.type !== 'invalid') throw new Error(`expected invalid, got ${JSON.stringify(parsed)}`);
  return parsed.message;
}

describe('parseCommand', () => {
  it('reads the bare command with defaults', () => {
    expect(parseCommand('/scrum-apply')).toEqual({ type: 'command', dryRun: false, force: false, paths: [] });
  });

  it('reads every argument, in any order, with leading whitespace and later lines ignored', () => {
    expect(parseCommand('  \n  /scrum-apply force src/a.rs max-files=3 dry-run crates/b.rs\nthanks!\n/scrum-apply')).toEqual({
      type: 'command',
      dryRun: true,
      force: true,
      maxFiles: 3,
      paths: ['src/a.rs', 'crates/b.rs'],
    });
    expect(command('/scrum-apply\tdry-run\r\nsecond line').dryRun).toBe(true);
  });

  it.each([
    ['a mention later in the comment', 'Shall we run it?\n/scrum-apply'],
    ['a mention inside the first line', 'please /scrum-apply dry-run'],
    ['a quote', '> /scrum-apply dry-run'],
    ['inline code', '`/scrum-apply dry-run` is the command'],
    ['a fenced block', '```\n/scrum-apply\n```'],
    ['a longer word', '/scrum-applyx'],
    ['punctuation glued on', '/scrum-apply, please'],
    ['another case', '/Scrum-Apply'],
    ['an empty comment', ''],
  ])('ignores %s', (_what, body) => {
    expect(parseCommand(body)).toEqual({ type: 'none' });
  });

  it.each([
    ['--foo', /unknown option `--foo`/],
    ['--dry-run', /unknown option `--dry-run`/],
    ['verbose=1', /unknown option `verbose=1`/],
    ['max-files=abc', /max-files=N must be a whole number from 1 to 1000/],
    ['max-files=0', /from 1 to 1000/],
    ['max-files=1001', /from 1 to 1000/],
    ['max-files=-2', /from 1 to 1000/],
    ['max-files=', /from 1 to 1000/],
    ['max-files=2 max-files=3', /given twice/],
    ['/etc/passwd', /absolute path/],
    ['src/../../x.rs', /"\." or "\.\." component/],
    ['./src/a.rs', /"\." or "\.\." component/],
    ['src\\a.rs', /backslash/],
    ['src/a\u202e.rs', /control or invisible/],
  ])('refuses `%s` with a reason', (args, reason) => {
    expect(invalidMessage(`/scrum-apply ${args}`)).toMatch(reason);
  });

  it('keeps an echoed token short and free of backticks', () => {
    const message = invalidMessage(`/scrum-apply --${'x'.repeat(500)}`);
    expect(message.length).toBeLessThan(120);
    expect(invalidMessage('/scrum-apply --a`b')).toContain("--a'b");
  });

  it('accepts the same max-files twice and drops repeated paths', () => {
    expect(command('/scrum-apply max-files=2 max-files=2 a.rs a.rs')).toMatchObject({ maxFiles: 2, paths: ['a.rs'] });
  });

  it('caps the number of paths', () => {
    const paths = Array.from({ length: 51 }, (_, i) => `f${i}.rs`).join(' ');
    expect(invalidMessage(`/scrum-apply ${paths}`)).toMatch(/at most 50 paths/);
  });
});

describe('normalizedArguments', () => {
  it('is the same for the same request however it was written', () => {
    expect(normalizedArguments(command('/scrum-apply b.rs dry-run a.rs'))).toBe(normalizedArguments(command('/scrum-apply  dry-run a.rs b.rs')));
  });

  it('differs when the request differs', () => {
    const keys = ['/scrum-apply', '/scrum-apply dry-run', '/scrum-apply force', '/scrum-apply max-files=2', '/scrum-apply a.rs'].map((c) =>
      normalizedArguments(command(c)),
    );
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('commandText', () => {
  it('writes the command back in canonical order', () => {
    expect(commandText(command('/scrum-apply a.rs max-files=2 force dry-run'))).toBe('/scrum-apply dry-run force max-files=2 a.rs');
  });
});
