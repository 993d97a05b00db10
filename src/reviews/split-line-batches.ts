/** One physical line: its bytes without the line ending, or `tooLong` when it passed the cap. */
export type RawLine =
  | { line: number; tooLong: false; bytes: Buffer; /** Where the line starts in the stream. */ offset: number }
  | { line: number; tooLong: true };

const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits a byte stream into lines without ever holding more than `maxLineBytes` (+1 for a
 * CR) of one line: bytes past the cap are dropped as they arrive, so a 50 MB line costs a
 * chunk of memory, not 50 MB. readline would buffer the whole line first. Decoding is left
 * to the caller so a UTF-8 character split across chunks is decoded once, whole.
 *
 * One array per chunk: the lines that chunk completed. A million-line log then costs a few
 * hundred awaits instead of a million, which is most of the reading time.
 * A line's bytes may point into the chunk they came in; a partial line is copied out, so it
 * never pins a whole chunk while the next one is read.
 */
export async function* splitLineBatches(
  chunks: AsyncIterable<Buffer | string>,
  maxLineBytes: number,
): AsyncGenerator<RawLine[]> {
  // Room for a trailing CR on a line that is exactly at the cap.
  const keep = maxLineBytes + 1;
  let parts: Buffer[] = [];
  let kept = 0;
  let overflow = false;
  let line = 0;
  /** Bytes of the stream before the current chunk, and where the current line starts. */
  let consumed = 0;
  let lineStart = 0;

  function take(piece: Buffer, copy: boolean): void {
    if (overflow) return;
    const room = keep - kept;
    if (piece.length > room) {
      overflow = true;
      parts = [];
      kept = 0;
      return;
    }
    if (piece.length > 0) {
      parts.push(copy ? Buffer.from(piece) : piece);
      kept += piece.length;
    }
  }

  function finish(next: number): RawLine {
    line += 1;
    const offset = lineStart;
    lineStart = next;
    const wasOverflow = overflow;
    const joined = wasOverflow ? Buffer.alloc(0) : parts.length === 1 && parts[0] ? parts[0] : Buffer.concat(parts, kept);
    parts = [];
    kept = 0;
    overflow = false;
    if (wasOverflow) return { line, tooLong: true };
    const bytes = joined.length > 0 && joined[joined.length - 1] === CR ? joined.subarray(0, -1) : joined;
    if (bytes.length > maxLineBytes) return { line, tooLong: true };
    return { line, tooLong: false, bytes, offset };
  }

  for await (const chunk of chunks) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const batch: RawLine[] = [];
    let start = 0;
    let newline = buffer.indexOf(LF, start);
    while (newline !== -1) {
      take(buffer.subarray(start, newline), false);
      batch.push(finish(consumed + newline + 1));
      start = newline + 1;
      newline = buffer.indexOf(LF, start);
    }
    if (start < buffer.length) take(buffer.subarray(start), true);
    consumed += buffer.length;
    if (batch.length > 0) yield batch;
  }
  if (kept > 0 || overflow) yield [finish(consumed)];
}
