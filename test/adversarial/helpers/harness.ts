import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { startLlmStandIn, type LlmStandIn, type StandInReply } from '../../../tools/demo/llm-stand-in.js';
import { DEMO_WORKSPACE } from '../../helpers/fixture-repo.js';

export const SHAPES = 'crates/geometry/src/shapes.rs';
export const FORMAT = 'crates/report/src/format.rs';
export const UNITS = 'crates/geometry/src/units.rs';
export const GEOMETRY_LIB = 'crates/geometry/src/lib.rs';
export const REPORT_LIB = 'crates/report/src/lib.rs';

/** A classic GitHub token of the right shape, different every time. */
export function randomGitHubToken(prefix = 'ghp_'): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(36);
  return prefix + [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}

/** `{"patches":[...]}` as a model would answer it. */
export function patchAnswer(patches: Array<{ old_string: string; new_string: string; rationale?: string; confidence?: number }>): string {
  return JSON.stringify({ patches: patches.map((p) => ({ rationale: 'mechanical fix', confidence: 95, ...p })) });
}

/** The demo's benign, green answers (both compile). */
export const GREEN_ANSWERS: Record<string, string> = {
  [SHAPES]: patchAnswer([
    { old_string: '//! Shapes and their areas.\n', new_string: '//! Shapes and their areas.\n\nuse std::f64::consts::PI;\n', rationale: 'import PI' },
    { old_string: '        3.14159 * self.radius * self.radius', new_string: '        PI * self.radius * self.radius', rationale: 'use PI' },
  ]),
  [FORMAT]: patchAnswer([
    { old_string: 'pub fn describe(rect: &Rect) -> String {', new_string: '#[must_use]\npub fn describe(rect: &Rect) -> String {', rationale: 'must_use' },
  ]),
};

/** shapes.rs as the green answer leaves it: what a pushed branch must hold, byte for byte. */
export function expectedGreenShapes(): string {
  return readFileSync(join(DEMO_WORKSPACE, SHAPES), 'utf8')
    .replace('//! Shapes and their areas.\n', '//! Shapes and their areas.\n\nuse std::f64::consts::PI;\n')
    .replace('        3.14159 * self.radius * self.radius', '        PI * self.radius * self.radius');
}

/** The file a prompt is about (`File: "<json>"` in the user message). */
export function fileOfPrompt(prompt: string): string | null {
  const match = /^File: (".*")$/m.exec(prompt);
  if (!match?.[1]) return null;
  try {
    const value: unknown = JSON.parse(match[1]);
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}

/** A stand-in model answering per file; files it does not know get `{"patches":[]}`. */
export function startScriptedLlm(
  answers: Record<string, StandInReply | (() => StandInReply | Promise<StandInReply>)>,
): Promise<LlmStandIn> {
  return startLlmStandIn(async (request) => {
    const file = fileOfPrompt(request.prompt);
    const answer = file === null ? undefined : answers[file];
    if (answer === undefined) return '{"patches":[]}';
    return typeof answer === 'function' ? answer() : answer;
  });
}

/** The files a workspace crate adds, plus the workspace manifest and lock file that list it. */
export function withWorkspaceCrate(name: string, files: Record<string, string>): Record<string, string> {
  const manifest = readFileSync(join(DEMO_WORKSPACE, 'Cargo.toml'), 'utf8').replace(
    'members = ["crates/geometry", "crates/report"]',
    `members = ["crates/geometry", "crates/report", "crates/${name}"]`,
  );
  if (!manifest.includes(`crates/${name}`)) throw new Error('the demo workspace manifest changed; update withWorkspaceCrate');
  const lock = readFileSync(join(DEMO_WORKSPACE, 'Cargo.lock'), 'utf8').replace(
    '[[package]]\nname = "report"',
    `[[package]]\nname = "${name}"\nversion = "0.1.0"\n\n[[package]]\nname = "report"`,
  );
  const out: Record<string, string> = { 'Cargo.toml': manifest, 'Cargo.lock': lock };
  for (const [path, content] of Object.entries(files)) out[`crates/${name}/${path}`] = content;
  return out;
}

/** git with every hook, fsmonitor and user-level config off: for looking at a hostile repository. */
export function inertGit(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false', ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_OPTIONAL_LOCKS: '0' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Every bot branch of a bare remote with its full history and patches: what a push published. */
export function pushedText(origin: string): string {
  const refs = inertGit(origin, 'for-each-ref', '--format=%(refname)', 'refs/heads/').trim().split('\n').filter(Boolean);
  return refs.map((ref) => `${ref}\n${inertGit(origin, 'log', '-p', '--format=%H%n%an <%ae>%n%B', ref, '--')}`).join('\n');
}

/** The bot branches a bare remote has. */
export function botBranches(origin: string, prefix = 'scrum-apply/'): string[] {
  return inertGit(origin, 'for-each-ref', '--format=%(refname:short)', `refs/heads/${prefix}`).trim().split('\n').filter(Boolean).sort();
}

/** The forms a secret may take on the way out: as is, base64 (as basic auth too), URL-encoded. */
export function secretForms(secret: string): string[] {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return [
    secret,
    b64(secret).replace(/=+$/, ''),
    b64(`x-access-token:${secret}`).replace(/=+$/, ''),
    encodeURIComponent(secret),
    // Reversed, so a check output that hides it from a plain search is caught too.
    [...secret].reverse().join(''),
  ];
}

/** Asserts that no output holds any form of any secret. */
export function expectNoSecrets(outputs: Record<string, string>, secrets: string[]): void {
  for (const secret of secrets) {
    for (const form of secretForms(secret)) {
      for (const [where, text] of Object.entries(outputs)) {
        expect(text.includes(form), `${where} holds a secret (${form.slice(0, 6)}…)`).toBe(false);
      }
    }
  }
}

export function sha256(path: string): string {
  return existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'absent';
}

/** Name → sha256 of every file under `dir` (recursively): to show nothing was added or changed. */
export function treeHashes(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out[join(entry.parentPath, entry.name).slice(dir.length + 1)] = sha256(join(entry.parentPath, entry.name));
  }
  return out;
}

export { allText } from '../../helpers/token-leaks.js';
