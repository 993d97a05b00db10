import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { reviewRow } from './bench-fixture.js';

/**
 * A review log of `rows` rows over `files` distinct files, as a long-running reviewer would
 * leave it: every file reviewed again and again, mostly with weaker results, with a few
 * hundred bytes of review text per row. Written in batches, never held whole.
 */
export async function writeLargeReviewLog(path: string, options: { rows: number; files: number }): Promise<number> {
  const out = createWriteStream(path);
  const tiers = ['auto', 'auto', 'auto', 'simulation', 'block'];
  let bytes = 0;
  let batch: string[] = [];
  for (let i = 0; i < options.rows; i += 1) {
    const file = `crates/c${i % 40}/src/m${i % options.files}.rs`;
    const day = 1 + (Math.floor(i / options.files) % 28);
    const at = `2026-10-${String(day).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00Z`;
    const row = reviewRow(file, at, 70 + (i % 31), 50 + (i % 47), tiers[i % tiers.length] ?? 'auto');
    row.suggestions_preview = `Review ${i} of ${file}: ${'replace the magic number with a named constant and mark the result #[must_use]; '.repeat(3)}`;
    batch.push(JSON.stringify(row));
    if (batch.length === 5000 || i === options.rows - 1) {
      const text = `${batch.join('\n')}\n`;
      bytes += Buffer.byteLength(text);
      batch = [];
      if (!out.write(text)) await once(out, 'drain');
    }
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}
