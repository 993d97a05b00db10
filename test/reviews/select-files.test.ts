import { describe, expect, test } from 'vitest';
import type { Review } from '../../src/reviews/review-row.js';
import { selectFiles, type SelectionRules } from '../../src/reviews/select-files.js';

function review(file: string, over: Partial<Review> = {}): Review {
  return {
    file,
    reviewedAt: 0,
    reviewedAtText: '1970-01-01T00:00:00Z',
    model: 'm',
    text: '',
    confidenceAvg: 95,
    confidenceMin: 80,
    tier: 'auto',
    line: 1,
    ...over,
  };
}

function latestOf(...reviews: Review[]): Map<string, Review> {
  return new Map(reviews.map((r) => [r.file, r]));
}

const rules: SelectionRules = {
  minConfidence: 90,
  minFindingConfidence: 70,
  excludeTiers: ['block', 'simulation'],
  deny: ['docs/', 'config/'],
};

describe('selectFiles', () => {
  test('each gate skips with its reason; boundaries are inclusive', () => {
    const { eligible, skipped } = selectFiles(
      latestOf(
        review('src/ok.rs'),
        review('src/edge.rs', { confidenceAvg: 90, confidenceMin: 70 }),
        review('src/block.rs', { tier: 'block' }),
        review('src/sim.rs', { tier: 'simulation' }),
        review('src/low-avg.rs', { confidenceAvg: 85 }),
        review('src/low-min.rs', { confidenceMin: 69.5 }),
        review('docs/guide.rs'),
        review('Config/x.rs'),
        review('crates/Cargo.toml'),
        review('src/../etc/x.rs'),
        review('src/\u202Ex.rs'),
      ),
      rules,
    );
    expect(eligible.map((r) => r.file)).toEqual(['src/ok.rs', 'src/edge.rs']);
    expect(skipped).toEqual([
      { file: 'src/block.rs', reason: 'tier block is excluded' },
      { file: 'src/sim.rs', reason: 'tier simulation is excluded' },
      { file: 'src/low-avg.rs', reason: 'confidence_avg 85 < 90' },
      { file: 'src/low-min.rs', reason: 'confidence_min 69.5 < 70' },
      { file: 'docs/guide.rs', reason: 'denied by "docs/"' },
      { file: 'Config/x.rs', reason: 'denied by "config/"' },
      { file: 'crates/Cargo.toml', reason: 'denied by "**/Cargo.toml"' },
      { file: 'src/../etc/x.rs', reason: 'path has a ".." segment' },
      { file: 'src/\u202Ex.rs', reason: 'path has an invisible or bidirectional character (U+202E)' },
    ]);
  });

  test('ALWAYS_DENY applies with an empty deny list; other tiers and an empty exclude list pass', () => {
    const { eligible, skipped } = selectFiles(
      latestOf(review('build.rs'), review('src/a.rs', { tier: 'block' })),
      { ...rules, deny: [], excludeTiers: [] },
    );
    expect(eligible.map((r) => r.file)).toEqual(['src/a.rs']);
    expect(skipped).toEqual([{ file: 'build.rs', reason: 'denied by "build.rs"' }]);
  });

  test('orders by confidence_avg desc, then confidence_min desc, then path', () => {
    const { eligible } = selectFiles(
      latestOf(
        review('src/c.rs', { confidenceAvg: 95, confidenceMin: 80 }),
        review('src/b.rs', { confidenceAvg: 95, confidenceMin: 80 }),
        review('src/a.rs', { confidenceAvg: 92, confidenceMin: 99 }),
        review('src/d.rs', { confidenceAvg: 95, confidenceMin: 90 }),
        review('src/e.rs', { confidenceAvg: 100, confidenceMin: 70 }),
        review('src/B.rs', { confidenceAvg: 95, confidenceMin: 80 }),
      ),
      rules,
    );
    expect(eligible.map((r) => r.file)).toEqual(['src/e.rs', 'src/d.rs', 'src/B.rs', 'src/b.rs', 'src/c.rs', 'src/a.rs']);
  });

  test('does not cap the number of files', () => {
    const many = Array.from({ length: 40 }, (_, i) => review(`src/f${String(i).padStart(2, '0')}.rs`));
    expect(selectFiles(latestOf(...many), rules).eligible).toHaveLength(40);
  });

  test('`only` keeps just those paths; a named file without a review is reported', () => {
    const latest = latestOf(review('src/a.rs'), review('src/b.rs', { confidenceAvg: 99 }), review('src/low.rs', { confidenceAvg: 10 }));
    const { eligible, skipped } = selectFiles(latest, {
      ...rules,
      only: ['src/a.rs', 'src/missing.rs', 'src/low.rs', 'src/a.rs', 'SRC/b.rs'],
    });
    expect(eligible.map((r) => r.file)).toEqual(['src/a.rs']);
    expect(skipped).toEqual([
      { file: 'src/missing.rs', reason: 'no review for this file' },
      { file: 'SRC/b.rs', reason: 'no review for this file' },
      { file: 'src/low.rs', reason: 'confidence_avg 10 < 90' },
    ]);
  });

  test('an empty `only` means every file', () => {
    const { eligible } = selectFiles(latestOf(review('src/a.rs'), review('src/b.rs')), { ...rules, only: [] });
    expect(eligible).toHaveLength(2);
  });
});
