import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { personGit } from '../demo/create-demo-repo.js';
import { benchWorkspace } from './bench-workspace.js';

export interface BenchRepo {
  /** The maintainer's clone (where the bot runs). */
  dir: string;
  /** Its bare `origin`. */
  origin: string;
  /** The reviewed files, in selection order (all have the same confidence, so by path). */
  files: string[];
}

export const REVIEW_LOG = 'data/_kb/scrum_reviews.jsonl';

/**
 * A repository holding the benchmark workspace (Cargo.lock included; needs `cargo` on PATH),
 * committed on `main` and pushed to a bare
 * `origin`, with a review log naming every module (an older, weaker review first) and a
 * config that lets one run open a PR for each of them.
 */
export function createBenchRepo(root: string, options: { crates: number; modules: number; config?: string }): BenchRepo {
  const dir = join(root, 'work');
  const origin = join(root, 'origin.git');
  const workspace = benchWorkspace(options);
  const config = options.config ?? `maxFiles: ${workspace.reviewed.length}\nmaxOpenPrs: ${workspace.reviewed.length * 2}\n`;
  const files: Record<string, string> = { ...workspace.files, '.github/scrum-apply.yml': config };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  // Committed, as Cargo recommends: a check then needs no lock file written into the tree.
  execFileSync('cargo', ['generate-lockfile', '--offline', '--manifest-path', join(dir, 'Cargo.toml')], { stdio: 'ignore' });
  personGit(root, 'init', '-q', '--bare', '-b', 'main', origin);
  personGit(dir, 'init', '-q', '-b', 'main');
  personGit(dir, 'add', '-A');
  personGit(dir, 'commit', '-q', '-m', 'initial');
  personGit(dir, 'remote', 'add', 'origin', origin);
  personGit(dir, 'push', '-q', '-u', 'origin', 'main');
  personGit(dir, 'remote', 'set-head', 'origin', 'main');

  const rows = workspace.reviewed.flatMap((file, i) => [
    reviewRow(file, `2026-11-20T09:${String(i % 60).padStart(2, '0')}:00Z`, 80, 60, 'simulation'),
    reviewRow(file, `2026-11-21T09:${String(i % 60).padStart(2, '0')}:00Z`, 95, 90, 'auto'),
  ]);
  mkdirSync(dirname(join(dir, REVIEW_LOG)), { recursive: true });
  writeFileSync(join(dir, REVIEW_LOG), rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
  return { dir, origin, files: [...workspace.reviewed].sort() };
}

export function reviewRow(file: string, reviewedAt: string, avg: number, min: number, tier: string): Record<string, unknown> {
  return {
    file,
    reviewed_at: reviewedAt,
    accepted_model: 'kimi-k2:1t',
    suggestions_preview: `area() hard-codes 3.14159; use std::f64::consts::PI. (${file})`,
    confidence_avg: avg,
    confidence_min: min,
    gradient_tier: tier,
  };
}
