import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createHumanLogStream } from '../../src/cli/human-log-stream.js';
import type { RunReport } from '../../src/pipeline/run-types.js';
import { createLogger } from '../../src/log/logger.js';
import { renderResultsMarkdown, renderResultsTable } from '../../src/report/results-table.js';
import { terminalJson } from '../../src/report/terminal-text.js';

/**
 * Text from the review log, the model, git and remote servers reaches the terminal (the results
 * table, progress lines, `--json`) and comments. Escape sequences there would clear the screen,
 * retitle the window or hide text; bidi controls would reorder it. None gets through raw.
 */
const HOSTILE = 'src/\u001b[2J\u001b]0;owned\u0007a\u202Esr.b\u200Bc\u2066d.rs';
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/;

/** A stream collecting what the human log writes. */
function humanLines(): { out: Writable; text: () => string } {
  const chunks: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  return { out, text: () => chunks.join('') };
}

function report(): RunReport {
  return {
    runId: 'r',
    dryRun: true,
    forge: 'none',
    baseBranch: 'main',
    baseSha: '0'.repeat(40),
    results: [],
    skipped: [{ file: HOSTILE, reason: `not tracked (${HOSTILE})` }],
    notProcessed: [],
    reviewRows: 1,
    malformedLines: 1,
    problems: [`line 1: ${HOSTILE}`],
    durationMs: 1,
  };
}

describe('untrusted text on its way to a terminal or a comment', () => {
  it('the results table and its markdown form show unprintable characters escaped', () => {
    for (const text of [renderResultsTable(report()), renderResultsMarkdown(report())]) {
      expect(text).not.toMatch(RAW);
      expect(text).toContain('\\u001b[2J');
      expect(text).toContain('\\u202e');
    }
  });

  it('--json stays valid JSON with the same values, and shows them escaped', () => {
    const json = terminalJson(report());
    expect(json).not.toMatch(RAW);
    expect(JSON.parse(json)).toEqual(report());
  });

  it('progress lines on stderr', () => {
    const { out, text } = humanLines();
    const logger = createLogger({ redact: (t) => t, destination: createHumanLogStream(out) });
    logger.warn({ file: HOSTILE, reason: `remote: ${HOSTILE}` }, `cannot fetch ${HOSTILE}`);
    expect(text()).toMatch(/^scrum-apply: warning: /);
    expect(text()).not.toMatch(RAW);
  });

  it('progress lines name their level apart from the message (LOG_LEVEL=debug)', () => {
    const { out, text } = humanLines();
    const logger = createLogger({ redact: (t) => t, level: 'trace', destination: createHumanLogStream(out) });
    logger.trace('slot reset');
    logger.debug({ base: 'main' }, 'resolved the base');
    logger.info('selected files');
    logger.error('push failed');
    expect(text().split('\n')).toEqual([
      'scrum-apply: trace: slot reset',
      'scrum-apply: debug: resolved the base (base=main)',
      'scrum-apply: selected files',
      'scrum-apply: error: push failed',
      '',
    ]);
  });
});
