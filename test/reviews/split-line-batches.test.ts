import { describe, expect, test } from 'vitest';
import { splitLineBatches, type RawLine } from '../../src/reviews/split-line-batches.js';

async function* from(chunks: Array<Buffer | string>): AsyncGenerator<Buffer | string> {
  for (const chunk of chunks) yield chunk;
}

async function collect(chunks: Array<Buffer | string>, max = 100): Promise<Array<string | 'TOO LONG'>> {
  const out: Array<string | 'TOO LONG'> = [];
  const lines: RawLine[] = [];
  for await (const batch of splitLineBatches(from(chunks), max)) lines.push(...batch);
  lines.forEach((line, index) => {
    expect(line.line).toBe(index + 1);
    out.push(line.tooLong ? 'TOO LONG' : line.bytes.toString('utf8'));
  });
  return out;
}

describe('splitLineBatches', () => {
  test('LF, CRLF, blank lines and a missing final newline', async () => {
    expect(await collect(['a\r\nb\n\nc'])).toEqual(['a', 'b', '', 'c']);
    expect(await collect(['a\n'])).toEqual(['a']);
    expect(await collect([''])).toEqual([]);
  });

  test('a CRLF split between chunks', async () => {
    expect(await collect(['ab\r', '\ncd\r', '\n'])).toEqual(['ab', 'cd']);
  });

  test('a lone CR inside a line is kept', async () => {
    expect(await collect(['a\rb\n'])).toEqual(['a\rb']);
  });

  test('a multi-byte character split across chunks is decoded whole', async () => {
    const bytes = Buffer.from('{"file":"src/日本.rs"}\nnext\n', 'utf8');
    const cut = bytes.indexOf(Buffer.from('日', 'utf8')) + 1;
    expect(await collect([bytes.subarray(0, cut), bytes.subarray(cut, cut + 1), bytes.subarray(cut + 1)])).toEqual([
      '{"file":"src/日本.rs"}',
      'next',
    ]);
  });

  test('the cap: exactly max bytes passes (also with CR), one more is too long', async () => {
    expect(await collect(['x'.repeat(10) + '\n'], 10)).toEqual(['x'.repeat(10)]);
    expect(await collect(['x'.repeat(10) + '\r\n'], 10)).toEqual(['x'.repeat(10)]);
    expect(await collect(['x'.repeat(11) + '\n'], 10)).toEqual(['TOO LONG']);
    expect(await collect(['x'.repeat(11) + '\r\n'], 10)).toEqual(['TOO LONG']);
    expect(await collect(['x'.repeat(11)], 10)).toEqual(['TOO LONG']);
  });

  test('a long line spread over many chunks is dropped and the next line is intact', async () => {
    const chunks = [...Array.from({ length: 50 }, () => 'y'.repeat(1000)), '\nafter\n'];
    expect(await collect(['before\n', ...chunks], 100)).toEqual(['before', 'TOO LONG', 'after']);
  });
});
