/** A run of whole lines of the source, as shown to the model (1-based, inclusive). */
export interface SourceRegion {
  startLine: number;
  endLine: number;
  text: string;
}

/** What of a file the model is shown. */
export type PromptSource =
  | { type: 'whole'; text: string }
  | { type: 'regions'; regions: SourceRegion[]; totalLines: number; totalChars: number }
  | { type: 'too_large'; chars: number };

/** Lines of context around each place the review points at. */
export const CONTEXT_LINES = 40;
/** Characters a region's marker line and separators cost in the prompt. */
const REGION_OVERHEAD = 40;
/** Quoted code shorter than this matches too much to point anywhere. */
const MIN_QUOTE_CHARS = 8;
/** A quote found more often than this points nowhere in particular. */
const MAX_QUOTE_HITS = 3;

/**
 * The source as the model is to see it: whole when it fits `budgetChars`; else the regions the
 * review points at (line numbers such as `line 212`, `L212-L220`, `lib.rs:212`, or code it
 * quotes in backticks or fences, found in the source) with `CONTEXT_LINES` around each, as
 * many as fit, in the order the review names them; else (nothing pointed at, or not even the
 * first region fits) too large. `source` is LF-normalised.
 */
export function planPromptSource(source: string, reviewText: string, budgetChars: number): PromptSource {
  if (source.length <= budgetChars) return { type: 'whole', text: source };
  const lines = source.split('\n');
  const windows: Array<[number, number]> = [];
  for (const line of pointedLines(reviewText, source, lines.length)) {
    windows.push([Math.max(1, line.start - CONTEXT_LINES), Math.min(lines.length, line.end + CONTEXT_LINES)]);
  }
  const regions: SourceRegion[] = [];
  let used = 0;
  for (const [start, end] of windows) {
    if (regions.some((r) => start <= r.endLine + 1 && end >= r.startLine - 1)) {
      // Overlaps one already shown: widen that one when the budget allows.
      const region = regions.find((r) => start <= r.endLine + 1 && end >= r.startLine - 1) as SourceRegion;
      const wider = regionOf(lines, Math.min(start, region.startLine), Math.max(end, region.endLine));
      if (used - region.text.length + wider.text.length <= budgetChars) {
        used += wider.text.length - region.text.length;
        Object.assign(region, wider);
      }
      continue;
    }
    const region = regionOf(lines, start, end);
    if (used + region.text.length + REGION_OVERHEAD > budgetChars) continue;
    used += region.text.length + REGION_OVERHEAD;
    regions.push(region);
  }
  if (regions.length === 0) return { type: 'too_large', chars: source.length };
  regions.sort((a, b) => a.startLine - b.startLine);
  return { type: 'regions', regions, totalLines: lines.length, totalChars: source.length };
}

/** Whether `oldString` lies inside text the model was shown. */
export function wasShown(view: PromptSource, oldString: string): boolean {
  if (view.type === 'whole') return true;
  if (view.type === 'too_large') return false;
  return view.regions.some((region) => region.text.includes(oldString));
}

function regionOf(lines: string[], start: number, end: number): SourceRegion {
  return { startLine: start, endLine: end, text: lines.slice(start - 1, end).join('\n') };
}

/** The line spans the review points at, in the order it names them (deduplicated). */
function pointedLines(review: string, source: string, lineCount: number): Array<{ start: number; end: number }> {
  const found: Array<{ at: number; start: number; end: number }> = [];
  const add = (at: number, start: number, end: number) => {
    if (start >= 1 && start <= lineCount) found.push({ at, start, end: Math.min(Math.max(start, end), lineCount) });
  };
  const numbers = /(?:\blines?\s+|\bL|\.rs:|#L)(\d{1,7})(?:\s*(?:-|–|to)\s*L?(\d{1,7}))?/giu;
  for (const m of review.matchAll(numbers)) add(m.index, Number(m[1]), Number(m[2] ?? m[1]));
  const quotes = /```[^\n]*\n([\s\S]*?)```|`([^`\n]+)`/gu;
  for (const m of review.matchAll(quotes)) {
    const quoted = (m[1] ?? m[2] ?? '').split('\n').map((l) => l.trim()).find((l) => l.length >= MIN_QUOTE_CHARS);
    if (quoted === undefined) continue;
    const hits = lineNumbersOf(source, quoted);
    if (hits.length > 0 && hits.length <= MAX_QUOTE_HITS) for (const line of hits) add(m.index, line, line);
  }
  found.sort((a, b) => a.at - b.at);
  const seen = new Set<string>();
  return found.filter((f) => !seen.has(`${f.start}:${f.end}`) && seen.add(`${f.start}:${f.end}`));
}

/** The 1-based lines where `needle` starts (at most MAX_QUOTE_HITS + 1 of them). */
function lineNumbersOf(source: string, needle: string): number[] {
  const hits: number[] = [];
  for (let at = source.indexOf(needle); at >= 0 && hits.length <= MAX_QUOTE_HITS; at = source.indexOf(needle, at + 1)) {
    let line = 1;
    for (let i = source.indexOf('\n'); i >= 0 && i < at; i = source.indexOf('\n', i + 1)) line += 1;
    hits.push(line);
  }
  return hits;
}
