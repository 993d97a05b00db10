import type { AppliedPatch, RejectedPatch } from '../patches/patch-types.js';
import type { Review } from '../reviews/review-row.js';
import { blockText, fencedBlock, inlineCode, tableCell } from './markdown-text.js';
import { renderPrMeta } from './pr-meta.js';
import type { Redactor } from '../log/redact.js';

export { parsePrMeta, patchHash, PrMeta } from './pr-meta.js';
export { renderPrTitle } from './pr-title.js';

export interface PrBodyInput {
  file: string;
  branch: string;
  baseBranch: string;
  baseSha: string;
  runId: string;
  patchHash: string;
  /** The input fingerprints the PR was built from (input-fingerprint.ts) and the file's blob at the base. */
  fingerprint?: { input: string; review: string; blob: string };
  applied: AppliedPatch[];
  rejected: RejectedPatch[];
  review: Review;
  patchModel: string;
  check: {
    command: string;
    exitCode: number | null;
    durationMs: number;
    output: string;
    /** Warnings listed above the output. */
    warnings?: PrWarnings;
  };
  diff: string;
}

/**
 * The compiler's warnings to list: those the patch introduced (`introduced`: compared with the
 * base's), or, when the base's are not known, those in the patched file.
 */
export interface PrWarnings {
  introduced: boolean;
  list: Array<{ code: string | null; message: string; file: string | null; line: number | null }>;
}

/** Truncation never cuts the check output or the excerpt below this before cutting the other. */
const KEEP_AT_LEAST = 2_000;

/**
 * The PR body: built from a template; every piece of untrusted text is inert (see
 * markdown-text.ts). Only the check output (its tail is kept) and the review excerpt (its head)
 * shrink to fit `maxLength`; the hidden metadata marker always comes last, intact.
 */
export function renderPrBody(given: PrBodyInput, maxLength: number, redact: Redactor = (text) => text): string {
  const listed = given.check.warnings;
  const warnings = listed && { ...listed, list: listed.list.map((warning) => ({ ...warning, message: redact(warning.message), file: warning.file === null ? null : redact(warning.file) })) };
  const input: PrBodyInput = { ...given, check: { ...given.check, ...(warnings ? { warnings } : {}) } };
  const output = blockText(redact(input.check.output));
  const excerpt = blockText(redact(input.review.text));
  const diff = blockText(redact(input.diff));
  const meta = renderPrMeta({
    v: 1,
    file: input.file,
    base: input.baseSha,
    patch: input.patchHash,
    run: input.runId,
    ...(input.fingerprint === undefined
      ? {}
      : {
          ...input.fingerprint,
          patches: input.applied.map((p) => ({ old_string: p.old_string, new_string: p.new_string, rationale: p.rationale, confidence: p.confidence })),
        }),
  });

  let outputBudget = output.length;
  let excerptBudget = excerpt.length;
  let body = '';
  for (let attempt = 0; attempt < 10; attempt += 1) {
    body = compose(input, { output, outputBudget, excerpt, excerptBudget, diff, meta });
    let over = body.length - maxLength;
    if (over <= 0) return body;
    if (outputBudget === 0 && excerptBudget === 0) break;
    // Shrink the output to KEEP_AT_LEAST, then the excerpt, then both to nothing.
    for (const floor of [KEEP_AT_LEAST, 0]) {
      const cutOutput = Math.min(over, Math.max(0, outputBudget - floor));
      outputBudget -= cutOutput;
      over -= cutOutput;
      const cutExcerpt = Math.min(over, Math.max(0, excerptBudget - floor));
      excerptBudget -= cutExcerpt;
      over -= cutExcerpt;
    }
  }
  // Only a pathological diff gets here (patches are a few lines each): the body must still be
  // accepted, so the diff gives way and the Files tab has it.
  const withoutDiff = compose(input, { output, outputBudget: 0, excerpt, excerptBudget: 0, diff: null, meta });
  return withoutDiff.length <= maxLength ? withoutDiff : `${withoutDiff.slice(0, Math.max(0, maxLength - meta.length - 2))}\n\n${meta}`;
}

interface Parts {
  output: string;
  outputBudget: number;
  excerpt: string;
  excerptBudget: number;
  /** null: too large to show. */
  diff: string | null;
  meta: string;
}

function compose(input: PrBodyInput, parts: Parts): string {
  const { applied, rejected, review, check } = input;
  const n = applied.length;
  const shownOutput = tailOf(parts.output, parts.outputBudget);
  const shownExcerpt = headOf(parts.excerpt, parts.excerptBudget);
  const lines = [
    `scrum-apply applied ${n} mechanical ${n === 1 ? 'patch' : 'patches'} to ${inlineCode(input.file)}, proposed by ` +
      `${inlineCode(input.patchModel)} from a code review by ${inlineCode(review.model)}. ` +
      `The check ${inlineCode(check.command)} ${describeExit(check.exitCode)} in ${formatDuration(check.durationMs)}.`,
    '',
    `The branch ${inlineCode(input.branch)} was built from ${inlineCode(input.baseBranch)} at ` +
      `${inlineCode(input.baseSha.slice(0, 12))} and is rebuilt on later runs. Closing this PR without merging ` +
      'declines the change: the same patch is not proposed again.',
    '',
    '### Applied patches',
    '',
    '| # | Rationale | Confidence | Lines |',
    '|---:|---|---:|---:|',
    ...applied.map((p, i) => `| ${i + 1} | ${tableCell(p.rationale) || '—'} | ${formatNumber(p.confidence)} | ${p.lines} |`),
    '',
    '### Rejected patches',
    '',
    ...(rejected.length === 0
      ? ['None.']
      : [
          '| # | Reason | Rationale | Confidence |',
          '|---:|---|---|---:|',
          ...rejected.map(
            (p, i) => `| ${i + 1} | ${tableCell(p.reason) || '—'} | ${tableCell(p.rationale) || '—'} | ${formatNumber(p.confidence)} |`,
          ),
        ]),
    '',
    '### Review',
    '',
    `- Reviewer model: ${inlineCode(review.model)}`,
    `- Confidence: average ${formatNumber(review.confidenceAvg)}, minimum ${formatNumber(review.confidenceMin)}`,
    `- Tier: ${inlineCode(review.tier)}`,
    `- Reviewed at: ${inlineCode(review.reviewedAtText)}`,
    '',
    details(summaryFor('Review excerpt', shownExcerpt.length, parts.excerpt.length, 'first'), fencedBlock(shownExcerpt, 'text')),
    '',
    '### Check',
    '',
    `- Command: ${inlineCode(check.command)}`,
    `- Exit code: ${check.exitCode === null ? 'none' : check.exitCode}`,
    `- Duration: ${formatDuration(check.durationMs)}`,
    ...warningLines(input.file, check.warnings),
    '',
    details(summaryFor('Output', shownOutput.length, parts.output.length, 'last'), fencedBlock(shownOutput, 'text')),
    '',
    '### Diff',
    '',
    parts.diff === null ? 'The diff is too large to show here; see the Files tab.' : fencedBlock(parts.diff, 'diff'),
    '',
    parts.meta,
    '',
  ];
  return lines.join('\n');
}

function details(summary: string, content: string): string {
  return `<details><summary>${summary}</summary>\n\n${content}\n\n</details>`;
}

function summaryFor(what: string, shown: number, total: number, end: 'first' | 'last'): string {
  if (total === 0) return `${what} (empty)`;
  if (shown >= total) return what;
  return `${what} (${end} ${shown.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} characters)`;
}

/** The last `budget` characters, starting at a line start when one is near, never mid-surrogate. */
function tailOf(text: string, budget: number): string {
  if (text.length <= budget) return text;
  let tail = text.slice(text.length - budget);
  const newline = tail.indexOf('\n');
  if (newline !== -1 && newline < 200) tail = tail.slice(newline + 1);
  return /^[\uDC00-\uDFFF]/.test(tail) ? tail.slice(1) : tail;
}

/** The first `budget` characters, ending at a line end when one is near, never mid-surrogate. */
function headOf(text: string, budget: number): string {
  if (text.length <= budget) return text;
  let head = text.slice(0, budget);
  const newline = head.lastIndexOf('\n');
  if (newline !== -1 && head.length - newline < 200) head = head.slice(0, newline + 1);
  return /[\uD800-\uDBFF]$/.test(head) ? head.slice(0, -1) : head;
}

/** At most this many warnings are listed (the output has them all). */
const LISTED_WARNINGS = 10;

function warningLines(file: string, warnings: PrWarnings | undefined): string[] {
  if (warnings === undefined || warnings.list.length === 0) return [];
  const listed = warnings.list.slice(0, LISTED_WARNINGS).map((warning) => {
    const where = warning.line === null ? '' : warnings.introduced && warning.file !== null ? ` (${inlineCode(`${warning.file}:${warning.line}`)})` : ` (line ${warning.line})`;
    return `- ${warning.code === null ? '' : `${inlineCode(warning.code)} `}${tableCell(warning.message)}${where}`;
  });
  const more = warnings.list.length > LISTED_WARNINGS ? [`- … and ${warnings.list.length - LISTED_WARNINGS} more (see the output)`] : [];
  const heading = warnings.introduced ? 'Compiler warnings the patch introduced (not on the base):' : `Compiler warnings in ${inlineCode(file)} after the patch:`;
  return ['', heading, '', ...listed, ...more];
}

function describeExit(exitCode: number | null): string {
  if (exitCode === 0) return 'passed';
  return exitCode === null ? 'did not finish' : `exited with ${exitCode}`;
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function formatNumber(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '—' : String(Math.round(value * 10) / 10);
}
