import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLlmStandIn, type LlmStandIn } from '../../tools/demo/llm-stand-in.js';
import { recordedAnswers } from '../../tools/demo/recorded-answers.js';
import { baseEnv, readAudit, review, runCliCaptured, writeReviewLog } from '../helpers/cli-harness.js';
import { createFixtureRepo, type FixtureRepo } from '../helpers/fixture-repo.js';

const FILES = ['crates/geometry/src/shapes.rs', 'crates/report/src/format.rs', 'crates/geometry/src/units.rs'];

let repo: FixtureRepo;
let llm: LlmStandIn;
beforeEach(async () => {
  repo = createFixtureRepo({ prefix: 'scrum-apply-no-rustc-' });
  writeReviewLog(repo.dir, FILES.map((file) => review(file)));
  const answer = recordedAnswers();
  llm = await startLlmStandIn((request) => answer(request.prompt));
});
afterEach(async () => {
  await llm.close();
  repo.cleanup();
});

/**
 * A real broken layout: the toolchain's real `cargo` and `rustc` binaries copied into a `bin`
 * without the `lib` beside it, first on PATH — cargo runs, and the rustc it finds cannot load
 * librustc_driver.
 */
function toolchainWithoutLibraries(): string {
  const bin = join(repo.root, 'broken-toolchain', 'bin');
  mkdirSync(bin, { recursive: true });
  const sysroot = execFileSync('rustc', ['--print', 'sysroot'], { encoding: 'utf8' }).trim();
  for (const tool of ['cargo', 'rustc']) copyFileSync(join(sysroot, 'bin', tool), join(bin, tool));
  chmodSync(join(bin, 'rustc'), 0o755);
  return bin;
}

describe.each(['bwrap', 'none'])('a toolchain whose rustc cannot load its libraries (sandbox %s)', (sandbox) => {
  it('fails the run with exit 1 and one line naming what is missing; no file is red', async () => {
    repo.write('.github/scrum-apply.yml', `check:\n  sandbox: ${sandbox}\n`);
    repo.commitAll('sandbox');
    const env = baseEnv({
      PATH: `${toolchainWithoutLibraries()}:/usr/bin:/bin`,
      CARGO_HOME: join(repo.root, 'cargo-home'),
      SCRUM_APPLY_LLM_URL: llm.url,
      SCRUM_APPLY_DATA_DIR: join(repo.root, 'data'),
    });
    const audit = join(repo.root, 'audit.jsonl');
    const result = await runCliCaptured(['run', '--audit-log', audit], repo.dir, env);
    expect(result.code, result.stderr).toBe(1);
    const failed = result.stderr.split('\n').filter((line) => line.startsWith('scrum-apply: run failed:'));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatch(/^scrum-apply: run failed: the check cannot run: the toolchain cannot run( in the sandbox)? \(.*error while loading shared libraries: librustc_driver/);
    expect(result.stderr.trimEnd().split('\n').at(-1)).toBe(failed[0]);
    // No results table, and no row says a file was red.
    expect(result.stdout).toBe('');
    expect(readAudit(audit).filter((row) => row.action === 'build_red_reverted')).toEqual([]);
  }, 300_000);
});
