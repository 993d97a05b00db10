import { checkAddedContent, checkPatchContent } from './check-patch-content.js';
import type { AppliedPatch, ApplyResult, Patch, RejectedPatch } from './patch-types.js';

export interface ApplyRules {
  minConfidence: number;
  maxPatchLines: number;
  maxPatchesPerFile: number;
  /** Whether the model was shown `oldString` (the file was large: only parts went in the prompt); default yes. */
  wasShown?: (oldString: string) => boolean;
}

/** CRLF → LF; a lone CR is left as it is. */
export function toLf(text: string): string {
  return text.replace(/\r\n/g, '\n');
}

/** Lines a patch side spans; a trailing newline ends the last line rather than starting one. */
export function countLines(text: string): number {
  if (text === '') return 0;
  const breaks = text.split('\n').length - 1;
  return text.endsWith('\n') ? breaks : breaks + 1;
}

/**
 * The LF-normalised view of `original` and, for every offset in it (and its end), the offset of
 * the same character in `original`. A `\n` that was `\r\n` maps to the `\r`, so a span that
 * starts or ends at a line break covers the whole CRLF.
 */
function lfView(original: string): { text: string; offsets: Uint32Array } {
  const text = toLf(original);
  const offsets = new Uint32Array(text.length + 1);
  let n = 0;
  for (let i = 0; i < original.length; i += 1) {
    offsets[n] = i;
    n += 1;
    // The view's `\n` for a CRLF stands at the `\r`; the `\n` gets no offset of its own.
    if (original.charCodeAt(i) === 13 && original.charCodeAt(i + 1) === 10) i += 1;
  }
  offsets[n] = original.length;
  return { text, offsets };
}

/** The line ending of the line where `start` lies (else of the last line before it); LF if none. */
function eolAt(original: string, start: number): string {
  let newline = original.indexOf('\n', start);
  if (newline < 0) newline = original.lastIndexOf('\n', start - 1);
  return newline > 0 && original[newline - 1] === '\r' ? '\r\n' : '\n';
}

/** Where `needle` first occurs in `haystack` and how often (overlapping occurrences count). */
function occurrences(haystack: string, needle: string): { first: number; count: number } {
  const first = haystack.indexOf(needle);
  let count = 0;
  for (let at = first; at >= 0; at = haystack.indexOf(needle, at + 1)) count += 1;
  return { first, count };
}

function reject(patch: Patch, reason: string): RejectedPatch {
  return { reason, rationale: patch.rationale, confidence: patch.confidence };
}

/**
 * Applies the patches that pass every gate, one after another, to `source`. Gates, in order:
 * non-empty real change, content policy, confidence, `old_string` exactly once in the current
 * (already patched) text, size, per-file limit. Matching is on LF-normalised text; the edit is
 * made on the original text, inside the matched span only, with the line ending of the line it
 * is in, so bytes outside the span never change (CRLF and mixed endings included).
 */
export function applyPatches(source: string, patches: Patch[], rules: ApplyRules): ApplyResult {
  if (source.includes('\0')) {
    return {
      content: source,
      applied: [],
      rejected: patches.map((p) => reject(p, 'file is not text (contains NUL)')),
    };
  }
  let content = source;
  const applied: AppliedPatch[] = [];
  const rejected: RejectedPatch[] = [];
  for (const patch of patches) {
    const reason = gate(content, patch, rules, applied.length);
    if (typeof reason === 'string') {
      rejected.push(reject(patch, reason));
      continue;
    }
    content = reason.content;
    applied.push(reason.applied);
  }
  return { content, applied, rejected };
}

function gate(
  content: string,
  patch: Patch,
  rules: ApplyRules,
  appliedSoFar: number,
): string | { content: string; applied: AppliedPatch } {
  const oldLf = toLf(patch.old_string);
  const newLf = toLf(patch.new_string);
  if (oldLf === '') return 'old_string is empty';
  if (oldLf === newLf) return 'old_string equals new_string (no change)';
  const policy = checkPatchContent({ ...patch, old_string: oldLf, new_string: newLf });
  if (policy) return policy;
  if (patch.confidence < rules.minConfidence) {
    return `confidence ${patch.confidence} < minConfidence ${rules.minConfidence}`;
  }
  if (rules.wasShown && !rules.wasShown(oldLf)) return 'outside the text shown to the model';
  const view = lfView(content);
  const { first, count } = occurrences(view.text, oldLf);
  if (count === 0) return 'old_string not found';
  if (count > 1) return `old_string occurs ${count} times`;
  const lines = Math.max(countLines(oldLf), countLines(newLf));
  if (lines > rules.maxPatchLines) return `patch too large (${lines} lines, max ${rules.maxPatchLines})`;
  if (appliedSoFar >= rules.maxPatchesPerFile) {
    return `over the limit of ${rules.maxPatchesPerFile} patch${rules.maxPatchesPerFile === 1 ? '' : 'es'} per file`;
  }
  // A patch can complete a forbidden construct with the code around it (`concat` → `include_str`
  // before an existing `!(...)`), which the patch text alone does not show.
  const patchedLf = view.text.slice(0, first) + newLf + view.text.slice(first + oldLf.length);
  const spliced = checkAddedContent(view.text, patchedLf, 'patch');
  if (spliced) return `${spliced} together with the surrounding code`;

  const start = view.offsets[first] ?? content.length;
  const end = view.offsets[first + oldLf.length] ?? content.length;
  const eol = eolAt(content, start);
  const inserted = eol === '\n' ? newLf : newLf.split('\n').join(eol);
  return {
    content: content.slice(0, start) + inserted + content.slice(end),
    applied: {
      rationale: patch.rationale,
      confidence: patch.confidence,
      lines,
      old_string: oldLf,
      new_string: newLf,
    },
  };
}
