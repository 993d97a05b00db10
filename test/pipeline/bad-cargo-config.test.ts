import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRealWorkspaceRepo, SMALL_REAL_WORKSPACE } from '../../tools/bench/real-workspace.js';
import { personGit } from '../../tools/demo/create-demo-repo.js';
import { startLlmStandIn, type LlmStandIn } from '../../tools/demo/llm-stand-in.js';
import { baseEnv, readAudit, review, runCliCaptured, writeReviewLog } from '../helpers/cli-harness.js';
import { createFixtureRepo } from '../helpers/fixture-repo.js';
import { realToolchainHomes } from '../check/check-crates.js';

/**
 * A repository whose own Cargo configuration is broken: the check fails (it does not hang, it
 * does not fail the run), and Cargo's message is the red file's reason in the audit row and
 * the table. (An unreadable file would not do: the tests may run as root, who reads it anyway.)
 */
const SHAPES = 'crates/geometry/src/shapes.rs';
const CLASSES = 'aho-corasick/src/classes.rs';
const ANSWERS: Record<string, { old_string: string; new_string: string }> = {
  [SHAPES]: { old_string: '//! Shapes and their areas.', new_string: '//! Shapes, and their areas.' },
  [CLASSES]: { old_string: '    /// Set the equivalence class for the given byte.', new_string: '    /// Sets the equivalence class for the given byte.' },
};

let root: string;
let llm: LlmStandIn;
beforeAll(async () => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'scrum-apply-bad-config-')));
  llm = await startLlmStandIn((req) => {
    const found = Object.entries(ANSWERS).find(([file]) => req.prompt.includes(file));
    return { content: JSON.stringify({ patches: found ? [{ ...found[1], rationale: 'doc comment', confidence: 95 }] : [] }) };
  });
});
afterAll(async () => {
  await llm.close();
  rmSync(root, { recursive: true, force: true });
});

async function runOn(dir: string, file: string, env: NodeJS.ProcessEnv) {
  writeReviewLog(dir, [review(file)]);
  const audit = join(dir, '..', 'audit.jsonl');
  const result = await runCliCaptured(['run', '--audit-log', audit], dir, { ...env, SCRUM_APPLY_LLM_URL: llm.url, SCRUM_APPLY_DATA_DIR: join(dir, '..', 'data') });
  return { result, rows: readAudit(audit) };
}

describe("a repository whose .cargo/config.toml Cargo cannot use", () => {
  it('not TOML: the file is red with Cargo\'s message (audit row and table), the run goes on', async () => {
    const repo = createFixtureRepo({ prefix: 'scrum-apply-bad-toml-' });
    try {
      repo.write('.cargo/config.toml', '[source.crates-io\nreplace-with = "vendored"\n');
      repo.commitAll('a broken cargo config');
      const { result, rows } = await runOn(repo.dir, SHAPES, baseEnv());
      expect(result.code, result.stderr).toBe(0);
      const row = rows.find((r) => r.file === SHAPES);
      expect(row?.action).toBe('build_red_reverted');
      const message = /^could not load Cargo configuration: could not parse TOML configuration in `\.cargo\/config\.toml`: TOML parse error at line 1/;
      expect(row?.check?.errors?.[0]).toMatchObject({ code: null, file: null, line: null, message: expect.stringMatching(message) });
      expect(row?.reason).toMatch(message);
      expect(result.stdout).toContain('could not load Cargo configuration: could not parse TOML configuration in `.cargo/config.toml`');
    } finally {
      repo.cleanup();
    }
  }, 300_000);

  it('a directory source that is not there: the file is red with Cargo\'s message (audit row and table)', async () => {
    const home = join(root, 'vendor-gone');
    mkdirSync(home);
    const cargoHome = join(home, 'cargo-home');
    mkdirSync(cargoHome);
    // Any attempt to reach a registry goes to a closed port and fails.
    writeFileSync(join(cargoHome, 'config.toml'), '[http]\nproxy = "http://127.0.0.1:9"\ntimeout = 5\n[net]\nretry = 0\n');
    const env = baseEnv({ HOME: home, CARGO_HOME: cargoHome, RUSTUP_HOME: realToolchainHomes().RUSTUP_HOME });
    const { dir } = createRealWorkspaceRepo(home, SMALL_REAL_WORKSPACE, { cargo: 'cargo', env });
    writeFileSync(join(dir, '.cargo', 'config.toml'), '[source.crates-io]\nreplace-with = "vendored-sources"\n\n[source.vendored-sources]\ndirectory = "vendor-gone"\n');
    personGit(dir, 'commit', '-q', '-am', 'vendor moved');
    personGit(dir, 'push', '-q', 'origin', 'HEAD');
    const { result, rows } = await runOn(dir, CLASSES, env);
    expect(result.code, result.stderr).toBe(0);
    const row = rows.find((r) => r.file === CLASSES);
    expect(row?.action).toBe('build_red_reverted');
    expect(row?.check?.errors?.[0]?.message).toMatch(/failed to read root of directory source: vendor-gone: No such file or directory/);
    expect(row?.reason).toMatch(/failed to read root of directory source: vendor-gone/);
    expect(result.stdout).toContain('failed to read root of directory source: vendor-gone');
  }, 300_000);
});
