import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { loadReviewTexts, MAX_PROBLEMS, PROGRESS_EVERY, readLatestReviews } from '../../src/reviews/read-reviews.js';

const MiB = 1024 * 1024;
const options = { maxLineBytes: MiB, maxRows: 1_000_000 };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scrum-apply-reviews-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function row(file: string, reviewedAt: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ file, reviewed_at: reviewedAt, confidence_avg: 95, confidence_min: 80, ...extra });
}

async function logFile(content: string | Buffer): Promise<string> {
  const path = join(dir, 'reviews.jsonl');
  await writeFile(path, content);
  return path;
}

describe('readLatestReviews', () => {
  test('converts a row into a Review, with defaults for missing fields', async () => {
    const path = await logFile(
      [
        row('src/a.rs', '2026-01-01T00:00:00Z', {
          accepted_model: 'kimi-k2:1t',
          suggestions_preview: 'use ? instead of unwrap',
          gradient_tier: 'auto',
          extra_field: { ignored: true },
        }),
        JSON.stringify({ file: 'src/b.rs', reviewed_at: '2026-01-02T00:00:00Z', confidence_avg: null }),
      ].join('\n') + '\n',
    );
    const log = await readLatestReviews(path, options);
    expect(log.rows).toBe(2);
    expect(log.malformed).toBe(0);
    expect(log.truncatedAtRows).toBe(false);
    expect(log.latest.get('src/a.rs')).toEqual({
      file: 'src/a.rs',
      reviewedAt: Date.UTC(2026, 0, 1),
      reviewedAtText: '2026-01-01T00:00:00Z',
      model: 'kimi-k2:1t',
      text: 'use ? instead of unwrap',
      confidenceAvg: 95,
      confidenceMin: 80,
      tier: 'auto',
      line: 1,
    });
    expect(log.latest.get('src/b.rs')).toMatchObject({
      model: 'unknown',
      text: '',
      confidenceAvg: 0,
      confidenceMin: 0,
      tier: 'unknown',
      line: 2,
    });
  });

  test('keeps the latest review per file by time, not by string order or line order', async () => {
    const path = await logFile(
      [
        // 06:00Z: later in time but "06" < "10" as strings.
        row('src/a.rs', '2026-03-01T06:00:00Z', { suggestions_preview: 'later in time' }),
        // 10:00+05:00 is 05:00Z: earlier in time, greater as a string, later in the file.
        row('src/a.rs', '2026-03-01T10:00:00+05:00', { suggestions_preview: 'earlier in time' }),
        row('src/b.rs', '2026-03-01T00:00:00Z', { suggestions_preview: 'old' }),
        row('src/b.rs', '2026-02-28T20:00:00-05:00', { suggestions_preview: 'new' }),
      ].join('\n'),
    );
    const log = await readLatestReviews(path, options);
    expect(log.latest.size).toBe(2);
    expect(log.latest.get('src/a.rs')?.text).toBe('later in time');
    expect(log.latest.get('src/a.rs')?.line).toBe(1);
    expect(log.latest.get('src/b.rs')?.text).toBe('new');
  });

  test('on the same instant the later line wins', async () => {
    const path = await logFile(
      [
        row('src/a.rs', '2026-03-01T05:00:00Z', { suggestions_preview: 'first' }),
        row('src/a.rs', '2026-03-01T10:00:00+05:00', { suggestions_preview: 'second' }),
      ].join('\n'),
    );
    const log = await readLatestReviews(path, options);
    expect(log.latest.get('src/a.rs')?.text).toBe('second');
  });

  test('malformed lines are counted with their line and reason; blank lines are ignored', async () => {
    const path = await logFile(
      [
        row('src/a.rs', '2026-01-01T00:00:00Z'),
        '',
        '{"file": "src/b.rs", "reviewed_at": ',
        '   ',
        row('src/c.rs', '2026-01-01T00:00:00Z', { confidence_avg: 'high' }),
        row('src/d.rs', 'yesterday'),
        '[1,2,3]',
        JSON.stringify({ reviewed_at: '2026-01-01T00:00:00Z' }),
        row('src/e.rs', '2026-01-01T00:00:00Z'),
      ].join('\n'),
    );
    const log = await readLatestReviews(path, options);
    expect([...log.latest.keys()]).toEqual(['src/a.rs', 'src/e.rs']);
    expect(log.rows).toBe(7);
    expect(log.malformed).toBe(5);
    expect(log.problems).toEqual([
      { line: 3, reason: 'line 3: not valid JSON' },
      { line: 5, reason: 'line 5: confidence_avg: expected number, received string' },
      { line: 6, reason: 'line 6: reviewed_at: is not a date-time' },
      { line: 7, reason: 'line 7: expected object, received array' },
      { line: 8, reason: 'line 8: file: expected string, received undefined' },
    ]);
  });

  test('a 3 MB line over a 1 MiB cap is refused and the following lines are still read', async () => {
    const huge = row('src/huge.rs', '2026-01-01T00:00:00Z', { suggestions_preview: 'z'.repeat(3 * MiB) });
    const path = await logFile([row('src/a.rs', '2026-01-01T00:00:00Z'), huge, row('src/b.rs', '2026-01-01T00:00:00Z')].join('\n'));
    const log = await readLatestReviews(path, options);
    expect([...log.latest.keys()]).toEqual(['src/a.rs', 'src/b.rs']);
    expect(log.rows).toBe(3);
    expect(log.malformed).toBe(1);
    expect(log.problems).toEqual([{ line: 2, reason: 'line 2: longer than 1048576 bytes' }]);
  });

  test('CRLF line endings and no trailing newline', async () => {
    const path = await logFile(
      [row('src/a.rs', '2026-01-01T00:00:00Z'), '', row('src/b.rs', '2026-01-01T00:00:00Z')].join('\r\n'),
    );
    const log = await readLatestReviews(path, options);
    expect([...log.latest.keys()]).toEqual(['src/a.rs', 'src/b.rs']);
    expect(log.latest.get('src/b.rs')?.line).toBe(3);
    expect(log.malformed).toBe(0);
  });

  test('a UTF-8 character across a read-chunk boundary; invalid UTF-8 is a malformed line', async () => {
    const first = Buffer.from(row('src/a.rs', '2026-01-01T00:00:00Z', { suggestions_preview: 'p'.repeat(70_000) }) + '\n');
    const prefix = Buffer.from('{"file":"src/');
    // Place "日" (3 bytes) so it straddles the 64 KiB chunk boundary.
    const pad = 2 * 64 * 1024 - first.length - prefix.length - 1;
    const name = 'q'.repeat(pad) + '日.rs';
    const second = Buffer.from(`{"file":"src/${name}","reviewed_at":"2026-01-01T00:00:00Z"}\n`);
    const invalid = Buffer.concat([Buffer.from('{"file":"src/'), Buffer.from([0xff, 0xfe]), Buffer.from('.rs","reviewed_at":"2026-01-01T00:00:00Z"}\n')]);
    const path = await logFile(Buffer.concat([first, second, invalid]));
    const log = await readLatestReviews(path, options);
    expect([...log.latest.keys()]).toEqual(['src/a.rs', `src/${name}`]);
    expect(log.problems).toEqual([{ line: 3, reason: 'line 3: not valid UTF-8' }]);
  });

  test('stops after maxRows rows and says so', async () => {
    const lines = Array.from({ length: 10 }, (_, i) => row(`src/f${i}.rs`, '2026-01-01T00:00:00Z'));
    const path = await logFile(lines.join('\n') + '\n\n');
    const cut = await readLatestReviews(path, { ...options, maxRows: 4 });
    expect(cut.rows).toBe(4);
    expect(cut.latest.size).toBe(4);
    expect(cut.truncatedAtRows).toBe(true);
    const exact = await readLatestReviews(path, { ...options, maxRows: 10 });
    expect(exact.rows).toBe(10);
    expect(exact.truncatedAtRows).toBe(false);
  });

  test('keeps only the first problems but counts them all; reports progress', async () => {
    const count = PROGRESS_EVERY + 5;
    const path = await logFile(Array.from({ length: count }, () => 'not json').join('\n'));
    const progress: number[] = [];
    const log = await readLatestReviews(path, { ...options, onProgress: (rows) => progress.push(rows) });
    expect(log.malformed).toBe(count);
    expect(log.problems).toHaveLength(MAX_PROBLEMS);
    expect(log.problems.at(-1)).toEqual({ line: MAX_PROBLEMS, reason: `line ${MAX_PROBLEMS}: not valid JSON` });
    expect(progress).toEqual([PROGRESS_EVERY, count]);
  });

  test('an empty log has no reviews', async () => {
    const log = await readLatestReviews(await logFile(''), options);
    expect(log).toEqual({ latest: new Map(), rows: 0, malformed: 0, problems: [], truncatedAtRows: false });
  });

  test('a missing file, a directory and a FIFO are one-line errors', async () => {
    const missing = join(dir, 'nope.jsonl');
    await expect(readLatestReviews(missing, options)).rejects.toThrow(`review log not found: ${missing}`);
    await expect(readLatestReviews(join(dir, 'nope', 'x.jsonl'), options)).rejects.toThrow('review log not found');
    await expect(readLatestReviews(dir, options)).rejects.toThrow(`review log is a directory: ${dir}`);
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(readLatestReviews(fifo, options)).rejects.toThrow(`review log is not a regular file: ${fifo}`);
  });
});

describe('deferred review texts', () => {
  test('keep only where the latest rows are, and read back the texts of the files asked for (redacted), CRLF and multi-byte lines included', async () => {
    const path = await logFile(
      [
        row('src/a.rs', '2026-01-01T00:00:00Z', { suggestions_preview: 'old text' }),
        row('src/ü.rs', '2026-01-02T00:00:00Z', { suggestions_preview: 'größer: remove sk-secret-1234 from the log' }),
        row('src/a.rs', '2026-01-03T00:00:00Z', { suggestions_preview: 'newest text for a' }),
      ].join('\r\n') + '\r\n',
    );
    const redact = (text: string) => text.replaceAll('sk-secret-1234', '[REDACTED]');
    const log = await readLatestReviews(path, { ...options, redact, deferText: true });
    const a = log.latest.get('src/a.rs');
    const u = log.latest.get('src/ü.rs');
    expect(a?.text).toBe('');
    expect(a?.textAt).toBeDefined();
    const loaded = await loadReviewTexts(path, [u, a].filter((r) => r !== undefined), { redact });
    expect(loaded.map((r) => [r.file, r.text, r.textAt])).toEqual([
      ['src/ü.rs', 'größer: remove [REDACTED] from the log', undefined],
      ['src/a.rs', 'newest text for a', undefined],
    ]);
    // Everything else is as an eager read gives it.
    const eager = await readLatestReviews(path, { ...options, redact });
    expect(loaded[1]).toEqual(eager.latest.get('src/a.rs'));
  });

  test('a log that changed between the two reads is an error naming the line and the file', async () => {
    const path = await logFile(`${row('src/a.rs', '2026-01-01T00:00:00Z', { suggestions_preview: 'x' })}\n`);
    const log = await readLatestReviews(path, { ...options, deferText: true });
    await writeFile(path, `${row('src/b.rs', '2026-01-01T00:00:00Z', { suggestions_preview: 'x' })}\n`);
    await expect(loadReviewTexts(path, [...log.latest.values()])).rejects.toThrow('the review log changed while it was read: line 1 no longer holds the review of src/a.rs');
  });
});
