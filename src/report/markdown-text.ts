/**
 * Markdown for untrusted text (LLM rationales, review text, build output): nothing in it may
 * become a link, an image, HTML, a mention, an issue reference or a table/fence break.
 */

// Characters markdown (or GitHub's extensions) give meaning to, as numeric entities: GitHub
// renders them as the character itself, but the parser never sees syntax.
const ENTITY: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '[': '&#91;',
  ']': '&#93;',
  '(': '&#40;',
  ')': '&#41;',
  '|': '&#124;',
  '@': '&#64;',
  '#': '&#35;',
  '`': '&#96;',
  '*': '&#42;',
  '_': '&#95;',
  '~': '&#126;',
  '\\': '&#92;',
  '!': '&#33;',
  ':': '&#58;',
};

/** Control, format (bidi, zero-width) and other invisible characters. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\u2028\u2029]/gu;
const ANSI_ESCAPE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]/g;

/**
 * One line of inert text for a table cell or a sentence: whitespace collapsed, markdown
 * characters as entities (so `https://x` and `www.x` are not autolinked either), capped.
 */
export function inlineText(text: string, maxLength = 300): string {
  const flat = text.replace(ANSI_ESCAPE, '').replace(INVISIBLE, ' ').replace(/\s+/g, ' ').trim();
  const capped = flat.length > maxLength ? `${[...flat].slice(0, maxLength).join('')}…` : flat;
  return capped.replace(/[&<>[\]()|@#`*_~\\!:]/g, (c) => ENTITY[c] ?? c).replace(/\bwww\./gi, (w) => `${w.slice(0, 3)}&#46;`);
}

/** An inline code span holding `text` literally (for paths, model names, commands). */
export function inlineCode(text: string): string {
  const flat = text.replace(ANSI_ESCAPE, '').replace(INVISIBLE, ' ').replace(/\s+/g, ' ');
  const ticks = '`'.repeat(longestBacktickRun(flat) + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}

/** Multi-line text for a fenced block: escapes and stray controls removed, CRLF kept as LF. */
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
