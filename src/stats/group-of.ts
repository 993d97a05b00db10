import type { StatsRow } from './stats-row.js';
import type { GroupBy } from './stats-types.js';

/** Width of a confidence bucket; the last one, 95–100, takes in 100. */
export const BUCKET_WIDTH = 5;

export interface ConfidenceBucket {
  low: number;
  high: number;
  label: string;
}

/** The lower bound of a 0–100 confidence's (clamped) bucket. */
export function bucketLow(confidence: number): number {
  const clamped = Math.min(100, Math.max(0, confidence));
  return Math.min(100 - BUCKET_WIDTH, Math.floor(clamped / BUCKET_WIDTH) * BUCKET_WIDTH);
}

/** The bucket of a 0–100 confidence (clamped): 90–94, 95–100. */
export function confidenceBucket(confidence: number): ConfidenceBucket {
  const low = bucketLow(confidence);
  const high = low + BUCKET_WIDTH >= 100 ? 100 : low + BUCKET_WIDTH - 1;
  return { low, high, label: `${low}–${high}` };
}

/**
 * What kind of file a path is, the Cargo way: `test` (under tests/, or *_test.rs / tests.rs),
 * `bench` (benches/), `example` (examples/), `bin` (src/bin/ or main.rs), `lib` (other .rs),
 * else the extension (`toml`, `md`) or `other`.
 */
export function fileKind(path: string): string {
  const parts = path.toLowerCase().split('/');
  const name = parts.at(-1) ?? '';
  const dirs = parts.slice(0, -1);
  if (dirs.includes('tests') || /(^|_)tests?\.rs$/.test(name)) return 'test';
  if (dirs.includes('benches')) return 'bench';
  if (dirs.includes('examples')) return 'example';
  if (name === 'main.rs' || dirs.some((dir, i) => dir === 'bin' && dirs[i - 1] === 'src')) return 'bin';
  if (name.endsWith('.rs')) return 'lib';
  const dot = name.lastIndexOf('.');
  return dot > 0 && dot < name.length - 1 ? name.slice(dot + 1) : 'other';
}

/** The group a row's review falls in; the same for every row of one review. */
export function groupOf(by: GroupBy, row: StatsRow): string {
  switch (by) {
    case 'reviewer':
      return row.review.model || 'unknown';
    case 'patch-model':
      return row.patch_model || 'unknown';
    case 'tier':
      return row.review.tier || 'unknown';
    case 'confidence':
      return confidenceBucket(row.review.confidence_avg).label;
    case 'file-kind':
      return fileKind(row.file);
  }
}
