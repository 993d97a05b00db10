import { describe, expect, it } from 'vitest';
import { createOutputBuffer } from '../../src/check/check-output.js';
import { checkEnvironment } from '../../src/check/check-environment.js';
import { parseCommand } from '../../src/check/check-command.js';

describe('createOutputBuffer', () => {
  it('keeps everything under the cap, in order', () => {
    const out = createOutputBuffer(1000);
    out.write(Buffer.from('hello '));
    out.write(Buffer.from('world'));
    expect(out.text()).toBe('hello world');
    expect(out.totalBytes()).toBe(11);
  });

  it('keeps the head and the tail with a marker counting the omitted bytes', () => {
    const out = createOutputBuffer(400); // head 100, tail 300
    const body = Array.from({ length: 1000 }, (_, i) => String(i % 10)).join('');
    out.write(Buffer.from(`HEAD${body}`));
    out.write(Buffer.from(`${body}TAIL`));
    const text = out.text();
    const total = 2008;
    expect(out.totalBytes()).toBe(total);
    expect(text.startsWith('HEAD')).toBe(true);
    expect(text.endsWith('TAIL')).toBe(true);
    expect(text).toContain(`… ${total - 400} bytes omitted …`);
    const [head, tail] = text.split(/\n… \d+ bytes omitted …\n/);
    expect(head).toHaveLength(100);
    expect(tail).toHaveLength(300);
    expect(tail).toBe(`${body}TAIL`.slice(-300));
  });

  it('stays exact with many tiny writes and one huge write', () => {
    const tiny = createOutputBuffer(64);
    let all = '';
    for (let i = 0; i < 5000; i += 1) {
      const piece = String.fromCharCode(97 + (i % 26));
      all += piece;
      tiny.write(Buffer.from(piece));
    }
    expect(tiny.text()).toBe(`${all.slice(0, 16)}\n… ${5000 - 64} bytes omitted …\n${all.slice(-48)}`);

    const huge = createOutputBuffer(64);
    huge.write(Buffer.from(all));
    expect(huge.text()).toBe(tiny.text());
  });

  it('does not cut a UTF-8 character in half', () => {
    const out = createOutputBuffer(40); // head 10, tail 30
    // € is 3 bytes; 244 bytes in all: the head (10) ends and the tail (last 30) starts inside one.
    out.write(Buffer.from(`${'aaaaaaaaa€'.repeat(20)}bbbb`, 'utf8'));
    const text = out.text();
    expect(text).not.toContain('\uFFFD');
    expect(text).toBe('aaaaaaaaa\n… 207 bytes omitted …\naaaaaaaaa€aaaaaaaaa€bbbb');
  });
});

describe('checkEnvironment', () => {
  it('passes only the allow-list and cargo settings, never other variables', () => {
    const env = checkEnvironment(
      {
        PATH: '/usr/bin',
        HOME: '/home/bot',
        LANG: 'C.UTF-8',
        CARGO_HOME: '/c',
        RUSTUP_HOME: '/r',
        RUSTUP_TOOLCHAIN: 'stable',
        GITHUB_TOKEN: 'ghp_secret',
        SCRUM_APPLY_LLM_KEY: 'sk-secret',
        RUSTC_WRAPPER: '/evil',
        LD_PRELOAD: '/evil.so',
      },
      { targetDir: '/t', offline: true, overrides: { HOME: '/sandbox-home' } },
    );
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/sandbox-home',
      CARGO_HOME: '/c',
      RUSTUP_HOME: '/r',
      RUSTUP_TOOLCHAIN: 'stable',
      LANG: 'C.UTF-8',
      CARGO_TARGET_DIR: '/t',
      CARGO_TERM_COLOR: 'never',
      CARGO_NET_OFFLINE: 'true',
    });
  });

  it('omits unset variables and CARGO_NET_OFFLINE when online', () => {
    expect(checkEnvironment({}, { targetDir: '/t', offline: false })).toEqual({
      PATH: '/usr/local/bin:/usr/bin:/bin',
      CARGO_TARGET_DIR: '/t',
      CARGO_TERM_COLOR: 'never',
    });
  });
});

describe('parseCommand', () => {
  it('splits on whitespace and never interprets shell syntax', () => {
    expect(parseCommand('  cargo   check --workspace\t--all-targets ')).toEqual(['cargo', 'check', '--workspace', '--all-targets']);
    expect(parseCommand('cargo check; rm -rf / $(id)')).toEqual(['cargo', 'check;', 'rm', '-rf', '/', '$(id)']);
    expect(parseCommand('   ')).toEqual([]);
  });
});
