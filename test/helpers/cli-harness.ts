import { mkdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runCli } from '../../src/cli/run-cli.js';
import type { AuditRow } from '../../src/report/audit-row.js';

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer, _e, cb) {
        chunks.push(chunk.toString('utf8'));
        cb();
      },
    }),
    text: () => chunks.join(''),
  };
}

/** The toolchain variables a check needs, and nothing else from this process. */
export function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'LANG', 'CARGO_HOME', 'RUSTUP_HOME', 'RUSTUP_TOOLCHAIN'];
  const env: NodeJS.ProcessEnv = {};
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k];
  return { ...env, ...extra };
}

/** Run the CLI in-process, as `scrum-apply ...args` in `cwd`. */
export async function runCliCaptured(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CliOutcome> {
  const out = sink();
  const err = sink();
  const code = await runCli(args, { stdout: out.stream, stderr: err.stream, env, cwd }, 'test');
  return { code, stdout: out.text(), stderr: err.text() };
}

export function writeReviewLog(repoDir: string, rows: Array<Record<string, unknown> | string>, path = 'data/_kb/scrum_reviews.jsonl'): string {
  const full = join(repoDir, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n');
  return full;
}

export function review(file: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    file,
    reviewed_at: '2026-11-21T09:00:00Z',
    accepted_model: 'kimi-k2:1t',
    suggestions_preview: `review of ${file}`,
    confidence_avg: 95,
    confidence_min: 90,
    gradient_tier: 'auto',
    ...overrides,
  };
}

export function readAudit(path: string): AuditRow[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditRow);
}
