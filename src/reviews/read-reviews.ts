import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { formatZodIssues } from '../config/format-zod-issues.js';
import { hasReviewRowShape } from './has-review-row-shape.js';
import { ReviewRow, type Review } from './review-row.js';
import { splitLineBatches, type RawLine } from './split-line-batches.js';

export interface ReviewLogProblem {
  line: number;
  reason: string;
}

export interface ReviewLog {
  /** The latest review per file, keyed by the file path exactly as the log spells it. */
  latest: Map<string, Review>;
  /** Non-blank lines read, good or malformed. */
  rows: number;
  malformed: number;
  /** The first MAX_PROBLEMS problems; `malformed` has the full count. */
  problems: ReviewLogProblem[];
  /** True when the log had more than `maxRows` rows and the rest was not read. */
  truncatedAtRows: boolean;
}

export interface ReadReviewsOptions {
  maxLineBytes: number;
  maxRows: number;
  /** Called every PROGRESS_EVERY rows and once at the end with the rows read so far. */
  onProgress?: (rows: number) => void;
  /**
   * Applied to the review text, model, tier and time as they are read: they reach the model,
   * PR bodies, labels and commits. (Not to the path, which must match the repository's.)
   */
  redact?: (text: string) => string;
  /**
   * Keep only where each latest row is, not its review text (loadReviewTexts reads the texts
   * of the files a run takes): memory then follows the number of files, not their reviews.
   */
  deferText?: boolean;
}

/** A review log that cannot be read at all; one bad line is a problem, not this. */
export class ReviewLogError extends Error {
  override readonly name = 'ReviewLogError';
}

export const MAX_PROBLEMS = 50;
export const PROGRESS_EVERY = 10_000;
const CHUNK_BYTES = 256 * 1024;
const OPEN_BRACE = 0x7b;

function errorCode(error: unknown): string | undefined {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

function openFailure(path: string, error: unknown): ReviewLogError {
  const code = errorCode(error);
  const message =
    code === 'ENOENT' || code === 'ENOTDIR'
      ? `review log not found: ${path}`
      : code === 'EACCES' || code === 'EPERM'
        ? `review log is not readable: ${path} (${code})`
        : `cannot open review log ${path}: ${code ?? 'unknown error'}`;
  return new ReviewLogError(message, { cause: error });
}

async function openReviewLog(path: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    // O_NONBLOCK so a FIFO at this path fails the regular-file test below instead of hanging.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw openFailure(path, error);
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) throw new ReviewLogError(`review log is a directory: ${path}`);
    if (!stats.isFile()) throw new ReviewLogError(`review log is not a regular file: ${path}`);
    return handle;
  } catch (error) {
    await handle.close();
    if (error instanceof ReviewLogError) throw error;
    throw openFailure(path, error);
  }
}

function toReview(row: ReviewRow, reviewedAt: number, line: number, textAt: Review['textAt'] | null): Review {
  return {
    file: row.file,
    reviewedAt,
    reviewedAtText: row.reviewed_at,
    model: row.accepted_model ?? 'unknown',
    text: textAt ? '' : (row.suggestions_preview ?? ''),
    confidenceAvg: row.confidence_avg ?? 0,
    confidenceMin: row.confidence_min ?? 0,
    tier: row.gradient_tier ?? 'unknown',
    line,
    ...(textAt ? { textAt } : {}),
  };
}

/**
 * The review texts readLatestReviews left in the log (deferText), read back for `reviews`
 * only. A row that is no longer what was read (the log changed meanwhile) is an error.
 */
export async function loadReviewTexts(path: string, reviews: Review[], options: { redact?: (text: string) => string } = {}): Promise<Review[]> {
  if (reviews.every((review) => review.textAt === undefined)) return reviews;
  const handle = await openReviewLog(path);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    const loaded: Review[] = [];
    for (const review of reviews) {
      const at = review.textAt;
      if (at === undefined) {
        loaded.push(review);
        continue;
      }
      const bytes = Buffer.alloc(at.bytes);
      const { bytesRead } = await handle.read(bytes, 0, at.bytes, at.offset);
      const text = bytesRead === at.bytes ? decodeLine(decoder, bytes) : null;
      const parsed = text === null ? null : parseLine(text);
      if (parsed === null || !parsed.ok || parsed.row.file !== review.file || parsed.reviewedAt !== review.reviewedAt) {
        throw new ReviewLogError(`the review log changed while it was read: line ${review.line} no longer holds the review of ${review.file} (${path})`);
      }
      const { textAt: _read, ...rest } = review;
      const raw = parsed.row.suggestions_preview ?? '';
      loaded.push({ ...rest, text: options.redact ? options.redact(raw) : raw });
    }
    return loaded;
  } finally {
    await handle.close();
  }
}

function decodeLine(decoder: TextDecoder, bytes: Buffer): string | null {
  try {
    return decoder.decode(bytes);
  } catch {
    // The only failure of a fatal decoder: the caller counts the line as malformed.
    return null;
  }
}

type ParsedLine = { ok: true; row: ReviewRow; reviewedAt: number } | { ok: false; reason: string };

function parseLine(text: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parser's message quotes the line; it is untrusted and may be huge, so leave it out.
    return { ok: false, reason: 'not valid JSON' };
  }
  // Most rows are well-formed: a plain shape test spares them the schema's cost.
  if (hasReviewRowShape(value)) {
    const reviewedAt = Date.parse(value.reviewed_at);
    if (!Number.isNaN(reviewedAt)) return { ok: true, row: value, reviewedAt };
  }
  const parsed = ReviewRow.safeParse(value);
  if (!parsed.success) return { ok: false, reason: formatZodIssues(parsed.error.issues) };
  return { ok: true, row: parsed.data, reviewedAt: Date.parse(parsed.data.reviewed_at) };
}

/**
 * Streams a JSONL review log and keeps only the latest review per file (by `reviewed_at` as
 * a time; on a tie the later line wins), so memory follows the number of files, not rows.
 */
export async function readLatestReviews(path: string, options: ReadReviewsOptions): Promise<ReviewLog> {
  const handle = await openReviewLog(path);
  const stream = handle.createReadStream({ highWaterMark: CHUNK_BYTES, autoClose: true });
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const log: ReviewLog = { latest: new Map(), rows: 0, malformed: 0, problems: [], truncatedAtRows: false };

  function problem(line: number, reason: string): void {
    log.malformed += 1;
    if (log.problems.length < MAX_PROBLEMS) log.problems.push({ line, reason: `line ${line}: ${reason}` });
  }

  /** One line; false once `maxRows` is reached and reading must stop. */
  function take(raw: RawLine): boolean {
    // null: the line is not valid UTF-8 (lenient decoding would invent U+FFFD in paths).
    let text: string | null = null;
    if (!raw.tooLong) {
      text = decodeLine(decoder, raw.bytes);
      // A row starts with `{`; only other lines can be blank.
      if (text !== null && raw.bytes[0] !== OPEN_BRACE && text.trim() === '') return true;
    }
    if (log.rows >= options.maxRows) {
      log.truncatedAtRows = true;
      // First, so a report that shows only the first few problems still says why.
      log.problems.unshift({ line: raw.line, reason: `line ${raw.line}: more than ${options.maxRows} rows (maxReviewRows); this line and the rest were not read` });
      return false;
    }
    log.rows += 1;
    if (options.onProgress && log.rows % PROGRESS_EVERY === 0) options.onProgress(log.rows);

    if (raw.tooLong) {
      problem(raw.line, `longer than ${options.maxLineBytes} bytes`);
      return true;
    }
    if (text === null) {
      problem(raw.line, 'not valid UTF-8');
      return true;
    }
    const parsed = parseLine(text);
    if (!parsed.ok) {
      problem(raw.line, parsed.reason);
      return true;
    }
    // Only a row that becomes the latest is turned into a Review; redaction waits for the
    // winners (a chronological log makes nearly every row the latest for a while).
    const previous = log.latest.get(parsed.row.file);
    if (!previous || parsed.reviewedAt >= previous.reviewedAt) {
      const at = options.deferText && !raw.tooLong ? { offset: raw.offset, bytes: raw.bytes.length } : null;
      log.latest.set(parsed.row.file, toReview(parsed.row, parsed.reviewedAt, raw.line, at));
    }
    return true;
  }

  try {
    reading: for await (const batch of splitLineBatches(stream, options.maxLineBytes)) {
      for (const raw of batch) if (!take(raw)) break reading;
    }
  } catch (error) {
    throw new ReviewLogError(`cannot read review log ${path}: ${errorCode(error) ?? 'read failed'}`, {
      cause: error,
    });
  } finally {
    stream.destroy();
  }
  const { redact } = options;
  if (redact) {
    for (const [file, review] of log.latest) {
      log.latest.set(file, { ...review, reviewedAtText: redact(review.reviewedAtText), model: redact(review.model), text: redact(review.text), tier: redact(review.tier) });
    }
  }
  options.onProgress?.(log.rows);
  return log;
}
