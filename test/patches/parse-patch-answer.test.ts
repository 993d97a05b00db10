import { describe, expect, it } from 'vitest';
import { MAX_ANSWER_CHARS, parsePatchAnswer } from '../../src/patches/parse-patch-answer.js';

const good = { old_string: 'use a;\n', new_string: 'use a;\nuse b;\n', rationale: 'missing import', confidence: 95 };
const json = JSON.stringify({ patches: [good] });

describe('parsePatchAnswer', () => {
  it('reads a bare JSON answer', () => {
    expect(parsePatchAnswer(json)).toEqual({ type: 'patches', patches: [good], rejected: [] });
  });

  it('reads JSON inside ``` and ```json fences', () => {
    expect(parsePatchAnswer('```json\n' + json + '\n```')).toEqual({ type: 'patches', patches: [good], rejected: [] });
    expect(parsePatchAnswer('```\n' + json + '\n```\n')).toEqual({ type: 'patches', patches: [good], rejected: [] });
    expect(parsePatchAnswer('Sure:\n```json\n' + json + '\n```\nHope it helps {really}.')).toMatchObject({ type: 'patches', patches: [good] });
  });

  it('reads JSON surrounded by prose, even prose with braces', () => {
    expect(parsePatchAnswer(`Here is the {requested} JSON:\n${json}\nDone.`)).toMatchObject({ type: 'patches', patches: [good] });
    expect(parsePatchAnswer(`${json}\nNote: {not json}`)).toMatchObject({ type: 'patches', patches: [good] });
  });

  it('defaults a missing rationale to empty', () => {
    const result = parsePatchAnswer(JSON.stringify({ patches: [{ old_string: 'a', new_string: 'b', confidence: 91 }] }));
    expect(result).toEqual({ type: 'patches', patches: [{ old_string: 'a', new_string: 'b', rationale: '', confidence: 91 }], rejected: [] });
  });

  it('rejects invalid items one by one and keeps the valid ones', () => {
    const result = parsePatchAnswer(
      JSON.stringify({
        patches: [
          good,
          { ...good, confidence: 'high', rationale: 'bad confidence' },
          { new_string: 'x', confidence: 99 },
          { ...good, old_string: '', rationale: 'empty' },
          { ...good, new_string: good.old_string, rationale: 'no-op', confidence: 97 },
          7,
          { ...good, confidence: 150 },
        ],
      }),
    );
    expect(result).toEqual({
      type: 'patches',
      patches: [good],
      rejected: [
        { reason: 'patch 2: confidence: expected number', rationale: 'bad confidence', confidence: null },
        { reason: 'patch 3: old_string: missing', rationale: '', confidence: 99 },
        { reason: 'patch 4: old_string is empty', rationale: 'empty', confidence: 95 },
        { reason: 'patch 5: old_string equals new_string (no change)', rationale: 'no-op', confidence: 97 },
        { reason: 'patch 6: expected object', rationale: '', confidence: null },
        { reason: 'patch 7: confidence: Too big: expected number to be <=100', rationale: 'missing import', confidence: 150 },
      ],
    });
  });

  it('says so when the answer is empty', () => {
    expect(parsePatchAnswer('')).toEqual({ type: 'no_patches', reason: 'model returned an empty answer' });
    expect(parsePatchAnswer('  \n\t ')).toEqual({ type: 'no_patches', reason: 'model returned an empty answer' });
  });

  it('says so when the model proposes nothing', () => {
    expect(parsePatchAnswer('{"patches":[]}')).toEqual({ type: 'no_patches', reason: 'model proposed no patches' });
    expect(parsePatchAnswer('```json\n{"patches": []}\n```')).toEqual({ type: 'no_patches', reason: 'model proposed no patches' });
  });

  it('gives a short one-line reason for answers that are not JSON', () => {
    const result = parsePatchAnswer('I cannot help with that.\nSorry.');
    expect(result.type).toBe('no_patches');
    if (result.type !== 'no_patches') return;
    expect(result.reason).toMatch(/^model answer is not JSON: /);
    expect(result.reason).not.toContain('\n');
    expect(result.reason.length).toBeLessThanOrEqual(160);

    const broken = parsePatchAnswer('{"patches": [{"old_string": "a", "new_string": ');
    expect(broken).toMatchObject({ type: 'no_patches', reason: expect.stringMatching(/^model answer is not JSON: /) });
  });

  it('rejects JSON of the wrong shape as a whole', () => {
    expect(parsePatchAnswer('{"fixes":[]}')).toEqual({ type: 'no_patches', reason: 'model answer is not a patch list: patches: missing' });
    expect(parsePatchAnswer('[1,2]')).toMatchObject({ type: 'no_patches', reason: expect.stringMatching(/^model answer is not a patch list/) });
    const many = JSON.stringify({ patches: Array.from({ length: 51 }, () => good) });
    expect(parsePatchAnswer(many)).toMatchObject({ type: 'no_patches', reason: expect.stringMatching(/^model answer is not a patch list: patches: Too big/) });
  });

  it('refuses a huge answer unread and copes quickly with long garbage', () => {
    const huge = `{"patches":[${JSON.stringify(good)}], "pad": "${'x'.repeat(MAX_ANSWER_CHARS)}"}`;
    expect(parsePatchAnswer(huge)).toEqual({ type: 'no_patches', reason: `model answer too long (${huge.length} characters)` });

    const started = performance.now();
    const garbage = '{'.repeat(200_000) + '}'.repeat(200_000);
    const result = parsePatchAnswer(garbage);
    expect(result.type).toBe('no_patches');
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
