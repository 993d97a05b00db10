/**
 * Markdown for untrusted text (LLM rationales, review text, build output): nothing in it may
 * become a link, an image, HTML, a mention, an issue reference or a table/fence break.
 */

/**
 * Tokens GitHub turns into links or notifications: mentions, emails, issue references
 * (`#12`, `GH-12`, `owner/repo#12`) and URLs. GitHub finds mentions and references in the
 * rendered text, so escaping the characters as entities would not stop them; a code span does.
 */
const RISKY_TOKEN = /[@#]|:\/\/|www\.|\bGH-\d/i;

// Characters with markdown or HTML meaning, as entities: GitHub shows the character, the parser sees no syntax.
const ENTITY: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '[': '&#91;',
  ']': '&#93;',
  '|': '&#124;',
  '`': '&#96;',
  '\\': '&#92;',
};

/** Control, format (bidi, zero-width) and other invisible characters. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\u2028\u2029]/gu;
const ANSI_ESCAPE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]/g;

/**
 * Untrusted text as one inert table cell: whitespace collapsed, capped; its own `code` spans and
 * every risky token become code spans, other markdown/HTML characters entities, `|` cannot
 * open a new cell.
 */
export function tableCell(text: string, maxLength = 300): string {
  const flat = text.replace(ANSI_ESCAPE, '').replace(INVISIBLE, ' ').replace(/\s+/g, ' ').trim();
  const capped = flat.length > maxLength ? `${flat.slice(0, maxLength).replace(/[\uD800-\uDBFF]$/, '')}…` : flat;
  return capped
    .split(/(`[^`]+`)/)
    .map((part, i) => (i % 2 === 1 ? codeInCell(part.slice(1, -1)) : plainInCell(part)))
    .join('');
}

function plainInCell(text: string): string {
  return text
    .split(/( +)/)
    .map((token) => (RISKY_TOKEN.test(token) ? codeInCell(token) : token.replace(/[&<>[\]|`\\]/g, (c) => ENTITY[c] ?? c)))
    .join('');
}

/** In a table, even a code span needs `\|` (GFM splits cells before it parses code). */
function codeInCell(text: string): string {
  return inlineCode(text).replace(/\|/g, '\\|');
}

/** An inline code span holding `text` literally (for paths, model names, commands). */
export function inlineCode(text: string): string {
  const flat = text.replace(ANSI_ESCAPE, '').replace(INVISIBLE, ' ').replace(/\s+/g, ' ');
  const ticks = '`'.repeat(longestBacktickRun(flat) + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}

/** Multi-line text for a fenced block: terminal escapes and stray controls removed, CRLF shown as LF. */
export function blockText(text: string): string {
  return text
    .replace(ANSI_ESCAPE, '')
    .replace(/\r\n?/g, '\n')
    .replace(/[^\P{C}\n\t]/gu, '');
}

/** A fenced code block whose fence is longer than any backtick run inside, so it cannot be closed early. */
export function fencedBlock(text: string, info = ''): string {
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(text) + 1));
  const body = text.endsWith('\n') ? text : `${text}\n`;
  return `${fence}${info}\n${body}${fence}`;
}

export function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return longest;
}
