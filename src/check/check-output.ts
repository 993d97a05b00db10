/** The default cap on the check output kept in memory (and later shown in a PR body). */
export const DEFAULT_OUTPUT_CAP_BYTES = 256 * 1024;
const MAX_HEAD_BYTES = 64 * 1024;

/**
 * Bounded memory for a build's output, however much it prints: the first bytes (where the
 * first error usually is) and the last bytes (where the summary is), with a marker between.
 */
export interface OutputBuffer {
  write(chunk: Buffer): void;
  /** Everything kept, decoded; `… N bytes omitted …` marks the cut. */
  text(): string;
  /** Every byte written, kept or not. */
  totalBytes(): number;
}

export function createOutputBuffer(capBytes: number = DEFAULT_OUTPUT_CAP_BYTES): OutputBuffer {
  const cap = Math.max(2, Math.floor(capBytes));
  const headLimit = Math.min(MAX_HEAD_BYTES, Math.floor(cap / 4)) || 1;
  const tailLimit = cap - headLimit;
  const head = Buffer.alloc(headLimit);
  let headUsed = 0;
  // The tail is a ring: a fixed allocation, O(chunk) per write however small the chunks.
  let ring: Buffer | null = null;
  let ringPos = 0;
  let ringUsed = 0;
  let total = 0;

  function writeTail(data: Buffer): void {
    ring ??= Buffer.alloc(tailLimit);
    if (data.length >= tailLimit) {
      data.copy(ring, 0, data.length - tailLimit);
      ringPos = 0;
      ringUsed = tailLimit;
      return;
    }
    const first = Math.min(data.length, tailLimit - ringPos);
    data.copy(ring, ringPos, 0, first);
    data.copy(ring, 0, first);
    ringPos = (ringPos + data.length) % tailLimit;
    ringUsed = Math.min(tailLimit, ringUsed + data.length);
  }

  function tailBytes(): Buffer {
    if (!ring) return Buffer.alloc(0);
    if (ringUsed < tailLimit) return ring.subarray(0, ringUsed);
    return Buffer.concat([ring.subarray(ringPos), ring.subarray(0, ringPos)]);
  }

  return {
    write(chunk: Buffer): void {
      total += chunk.length;
      let rest = chunk;
      if (headUsed < headLimit) {
        const taken = rest.copy(head, headUsed, 0, Math.min(rest.length, headLimit - headUsed));
        headUsed += taken;
        rest = rest.subarray(taken);
      }
      if (rest.length > 0) writeTail(rest);
    },
    text(): string {
      const tail = tailBytes();
      if (total === headUsed + tail.length) return Buffer.concat([head.subarray(0, headUsed), tail]).toString('utf8');
      const headKept = withoutPartialEnd(head.subarray(0, headUsed));
      const tailKept = withoutPartialStart(tail);
      const omitted = total - headKept.length - tailKept.length;
      return `${headKept.toString('utf8')}\n… ${omitted} bytes omitted …\n${tailKept.toString('utf8')}`;
    },
    totalBytes: () => total,
  };
}

/** Drop UTF-8 continuation bytes at the start (the cut fell inside a character). */
function withoutPartialStart(bytes: Buffer): Buffer {
  let start = 0;
  while (start < Math.min(3, bytes.length) && isContinuation(bytes[start] ?? 0)) start += 1;
  return bytes.subarray(start);
}

/** Drop an incomplete UTF-8 sequence at the end (the cut fell inside a character). */
function withoutPartialEnd(bytes: Buffer): Buffer {
  for (let back = 1; back <= Math.min(4, bytes.length); back += 1) {
    const byte = bytes[bytes.length - back] ?? 0;
    if (isContinuation(byte)) continue;
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? bytes.subarray(0, bytes.length - back) : bytes;
  }
  return bytes;
}

function isContinuation(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}
