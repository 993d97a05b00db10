import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LlmStandIn } from '../../tools/demo/llm-stand-in.js';
import type { AuditRow } from '../../src/report/audit-row.js';
import { baseEnv, readAudit, review, runCliCaptured, writeReviewLog, type CliOutcome } from '../helpers/cli-harness.js';
import { createFixtureRepo, type FixtureRepo } from '../helpers/fixture-repo.js';
import { botBranches, expectNoSecrets, FORMAT, patchAnswer, pushedText, randomGitHubToken, startScriptedLlm } from './helpers/harness.js';

/**
 * The patch model read untrusted text, so its patches are hostile too: each case below is a
 * patch that would exfiltrate at compile time or hide what it does from a reviewer. Every one
 * must be refused by the content policy before any build, with its reason in the audit row.
 * The check command is a spy that records which marker words it finds in the worktree before
 * running cargo; the benign file's marker shows the spy sees patched content.
 */
const TOKEN = randomGitHubToken();
const BASE = (n: string) => `//! adversarial fixture ${n}\n\npub fn value() -> u32 {\n    1\n}\n\npub fn name() -> usize {\n    concat!("/root/", ".git-credentials").len()\n}\n`;
const SIGNATURE = 'pub fn value() -> u32 {';
const BODY = '    1\n';

interface Case {
  name: string;
  old_string: string;
  new_string: string;
  reason: RegExp;
}

const CASES: Case[] = [
  { name: 'include_str', old_string: BODY, new_string: '    include_str!("/root/.git-credentials").len() as u32 // ADV_MARK_01\n', reason: /^new_string adds include_str! \(reads files at compile time\)$/ },
  { name: 'include_bytes', old_string: BODY, new_string: '    include_bytes!("../../../.git/config").len() as u32 // ADV_MARK_02\n', reason: /^new_string adds include_bytes! / },
  { name: 'include', old_string: BODY, new_string: '    include!("/etc/hostname") // ADV_MARK_03\n', reason: /^new_string adds include! / },
  { name: 'env', old_string: BODY, new_string: '    env!("GITHUB_TOKEN").len() as u32 // ADV_MARK_04\n', reason: /^new_string adds env! \(reads the build environment at compile time\)$/ },
  { name: 'option_env', old_string: BODY, new_string: '    option_env!("GITHUB_TOKEN").map_or(0, |t| t.len() as u32) // ADV_MARK_05\n', reason: /^new_string adds option_env! / },
  { name: 'compile_error', old_string: BODY, new_string: '    compile_error!("ADV_MARK_06");\n    1\n', reason: /^new_string adds compile_error! / },
  { name: 'env split by a comment', old_string: BODY, new_string: '    env /* ADV_MARK_07 */ !("HOME").len() as u32\n', reason: /^new_string adds env! / },
  { name: '#[path]', old_string: SIGNATURE, new_string: `#[path = "/root/.git-credentials"]\nmod stolen; // ADV_MARK_08\n${SIGNATURE}`, reason: /^new_string adds #\[path \(loads a module from another path\)$/ },
  { name: 'extern "C"', old_string: SIGNATURE, new_string: `extern "C" { fn getenv(name: *const u8) -> *const u8; } // ADV_MARK_09\n${SIGNATURE}`, reason: /^new_string adds extern " \(declares foreign \(FFI\) code\)$/ },
  { name: '#[link]', old_string: SIGNATURE, new_string: `#[link(name = "ADV_MARK_10")]\n${SIGNATURE}`, reason: /^new_string adds #\[link \(links native code\)$/ },
  { name: 'unsafe', old_string: BODY, new_string: '    unsafe { std::ptr::read_volatile(&1u32) } // ADV_MARK_11\n', reason: /^new_string adds unsafe / },
  { name: 'asm!', old_string: BODY, new_string: '    { core::arch::asm!("nop"); 1 } // ADV_MARK_12\n', reason: /^new_string adds asm! \(inline assembly\)$/ },
  { name: 'zero-width space', old_string: BODY, new_string: '    1 // ADV_MARK_13\u200B\n', reason: /^new_string adds an invisible or control character \(U\+200B\)$/ },
  { name: 'bidi override (Trojan Source)', old_string: BODY, new_string: '    1 /* ADV_MARK_14 \u202E } \u2066 */\n', reason: /^new_string adds an invisible or control character \(U\+202E\)$/ },
  { name: 'Cyrillic look-alike identifier', old_string: BODY, new_string: '    let v\u0430lue = 1; v\u0430lue // ADV_MARK_15\n', reason: /^new_string adds a word with look-alike letters \("v\u0430lue"\)$/ },
  { name: 'a forbidden construct completed with the surrounding code', old_string: 'concat', new_string: 'include_str', reason: /^patch adds include_str! .* together with the surrounding code$/ },
];

const fileOf = (index: number) => `crates/geometry/src/adv_${String(index + 1).padStart(2, '0')}.rs`;

let repo: FixtureRepo;
let llm: LlmStandIn;
let result: CliOutcome;
let rows: AuditRow[];
let spyLog: string;

beforeAll(async () => {
  process.env.GITHUB_TOKEN = TOKEN;
  const extraFiles: Record<string, string> = {};
  CASES.forEach((_, i) => (extraFiles[fileOf(i)] = BASE(String(i + 1))));
  repo = createFixtureRepo({ prefix: 'scrum-adv-patches-', extraFiles });
  spyLog = join(repo.root, 'spy.log');
  const spy = join(repo.root, 'spy.sh');
  writeFileSync(
    spy,
    `#!/bin/sh\necho RUN >> "${spyLog}"\ngrep -rhoE 'ADV_MARK_[A-Z0-9]+|include_str!\\(concat' crates >> "${spyLog}"\nexec cargo check --workspace\n`,
  );
  repo.write('.github/scrum-apply.yml', `check:\n  sandbox: none\n  command: sh ${spy}\n`);
  writeReviewLog(repo.dir, [...CASES.map((_, i) => review(fileOf(i))), review(FORMAT)]);
  const answers: Record<string, string> = {
    [FORMAT]: patchAnswer([
      { old_string: 'pub fn describe(rect: &Rect) -> String {', new_string: '// ADV_MARK_BENIGN\npub fn describe(rect: &Rect) -> String {' },
    ]),
  };
  CASES.forEach((c, i) => (answers[fileOf(i)] = patchAnswer([{ old_string: c.old_string, new_string: c.new_string, rationale: c.name }])));
  llm = await startScriptedLlm(answers);
  const env = baseEnv({ SCRUM_APPLY_LLM_URL: llm.url, SCRUM_APPLY_DATA_DIR: join(repo.root, 'data'), GITHUB_TOKEN: TOKEN });
  const auditPath = join(repo.root, 'audit.jsonl');
  result = await runCliCaptured(['run', '--apply', '--forge', 'none', '--max-files', '50', '--audit-log', auditPath], repo.dir, env);
  rows = readAudit(auditPath);
}, 180_000);

afterAll(async () => {
  delete process.env.GITHUB_TOKEN;
  await llm?.close();
  repo?.cleanup();
});

describe('hostile patches from the model', () => {
  it('the run finishes and processes every file; the benign one is checked and pushed', () => {
    expect(result.code).toBe(0);
    expect(rows).toHaveLength(CASES.length + 1);
    expect(rows.find((r) => r.file === FORMAT)?.action).toBe('committed');
    expect(botBranches(repo.origin)).toEqual([`scrum-apply/${FORMAT}`]);
  });

  it.each(CASES.map((c, i) => ({ ...c, file: fileOf(i) })))('$name: all_rejected with its reason, never built', ({ file, reason, new_string }) => {
    const row = rows.find((r) => r.file === file);
    expect(row?.action).toBe('all_rejected');
    expect(row?.patches_rejected).toHaveLength(1);
    expect(row?.patches_rejected[0]?.reason).toMatch(reason);
    expect(row?.check).toBeNull();
    expect(row?.branch).toBeNull();
    // The spy saw the benign marker in its worktree, and never this patch's content.
    const spied = existsSync(spyLog) ? readFileSync(spyLog, 'utf8') : '';
    expect(spied).toContain('ADV_MARK_BENIGN');
    const mark = /ADV_MARK_\d+/.exec(new_string)?.[0] ?? 'include_str!(concat';
    expect(spied).not.toContain(mark);
  });

  it('nothing secret in stdout, stderr, the audit log or pushed commits', () => {
    expectNoSecrets({ stdout: result.stdout, stderr: result.stderr, audit: JSON.stringify(rows), pushed: pushedText(repo.origin) }, [TOKEN]);
  });
});
