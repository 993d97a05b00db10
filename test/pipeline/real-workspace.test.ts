import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRealWorkspaceRepo, SMALL_REAL_WORKSPACE } from '../../tools/bench/real-workspace.js';
import { startLlmStandIn, type LlmStandIn } from '../../tools/demo/llm-stand-in.js';
import { readAudit, review, runCliCaptured, writeReviewLog } from '../helpers/cli-harness.js';

/**
 * A real workspace, as a user has one: real crates from Debian's registry (`librust-*-dev`,
 * which .ci/run installs), memchr vendored through `.cargo/config.toml` (a directory source),
 * a CARGO_HOME of its own whose config sends any network access to a closed port, and the
 * toolchain found only through PATH, at a place of its own (neither ~/.cargo nor ~/.rustup):
 * a distro-style layout, `<root>/bin/{cargo,rustc}` beside `<root>/lib`.
 */
const CLASSES = 'aho-corasick/src/classes.rs';
const ERROR = 'aho-corasick/src/error.rs';

const ANSWERS: Record<string, string> = {
  [CLASSES]: JSON.stringify({
    patches: [{ old_string: '    /// Set the equivalence class for the given byte.', new_string: '    /// Sets the equivalence class for the given byte.', rationale: 'doc comment in the third person', confidence: 95 }],
  }),
  // Drops a field from a struct literal: E0063.
  [ERROR]: JSON.stringify({
    patches: [{ old_string: '        Error { kind: ErrorKind::StateIDOverflow { max } }', new_string: '        Error {}', rationale: 'simplify', confidence: 95 }],
  }),
};

let root: string;
let llm: LlmStandIn;

beforeAll(async () => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'scrum-apply-real-')));
  llm = await startLlmStandIn((req) => ({ content: Object.entries(ANSWERS).find(([file]) => req.prompt.includes(file))?.[1] ?? '{"patches": []}' }));
});

afterAll(async () => {
  await llm.close();
  rmSync(root, { recursive: true, force: true });
});

/** A repository of the small real workspace and the environment to run the bot in, for a toolchain in `bin` (first on PATH). */
function setUp(name: string, bin: string): { dir: string; env: NodeJS.ProcessEnv } {
  const home = join(root, name);
  mkdirSync(home);
  const cargoHome = join(home, 'cargo-home');
  mkdirSync(cargoHome);
  // Any attempt to reach a registry goes to a closed port and fails (and the fetch would warn).
  writeFileSync(join(cargoHome, 'config.toml'), '[http]\nproxy = "http://127.0.0.1:9"\ntimeout = 5\n[net]\nretry = 0\n');
  const env = { PATH: `${bin}:/usr/bin:/bin`, HOME: home, CARGO_HOME: cargoHome, RUSTUP_HOME: join(home, 'no-rustup-here'), LANG: 'C.UTF-8' };
  const { dir } = createRealWorkspaceRepo(home, SMALL_REAL_WORKSPACE, { cargo: join(bin, 'cargo'), env });
  return { dir, env };
}

const TOOLCHAINS: Array<{ layout: string; bin: () => string }> = [
  {
    layout: 'a toolchain found only on PATH, at a place of its own (<root>/bin beside <root>/lib)',
    bin: () => {
      const link = join(root, 'opt-rust');
      symlinkSync(execFileSync('rustc', ['--print', 'sysroot'], { encoding: 'utf8' }).trim(), link);
      return join(link, 'bin');
    },
  },
  // Debian's `cargo` and `rustc` packages (.ci/run installs them).
  { layout: "Debian's /usr/bin/cargo", bin: () => '/usr/bin' },
];

describe.each(TOOLCHAINS)('a real vendored workspace, a custom CARGO_HOME, $layout', ({ layout, bin }) => {
  it("checks offline with the repository's source replacement; a red file's audit row and table say which error, where", async () => {
    const { dir, env } = setUp(layout.startsWith('Debian') ? 'debian' : 'opt', bin());
    writeReviewLog(dir, [review(CLASSES), review(ERROR)], 'data/_kb/scrum_reviews.jsonl');
    const audit = join(root, 'audit.jsonl');
    const result = await runCliCaptured(['run', '--audit-log', audit], dir, { ...env, SCRUM_APPLY_LLM_URL: llm.url, SCRUM_APPLY_DATA_DIR: join(root, 'data'), LOG_LEVEL: 'debug' });
    expect(result.stderr).not.toMatch(/run failed/);
    expect(result.code).toBe(0);
    // The fetch honoured .cargo/config.toml (vendored: nothing to download) and never went to the network.
    expect(result.stderr).not.toContain('cargo fetch failed');
    expect(result.stderr).not.toContain('the check cannot run');
    const rows = Object.fromEntries(readAudit(audit).map((row) => [row.file, row]));
    expect(rows[CLASSES]?.action).toBe('dry_run_committed');
    expect(rows[CLASSES]?.check).toMatchObject({ green: true, timed_out: false, errors: [] });
    const red = rows[ERROR];
    expect(red?.action).toBe('build_red_reverted');
    expect(red?.check?.errors?.[0]).toMatchObject({ code: 'E0063', file: ERROR, line: 46 });
    expect(red?.check?.errors?.[0]?.message).toMatch(/missing field `kind` in initializer/);
    expect(red?.reason).toMatch(/^E0063 missing field `kind` in initializer .*\(aho-corasick\/src\/error\.rs:46\)$/);
    expect(result.stdout).toMatch(/E0063 missing field `kind` in initializer/);
  }, 600_000);
});
