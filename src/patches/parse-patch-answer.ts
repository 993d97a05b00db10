import type { z } from 'zod';
import { Patch, PatchResponse, type RejectedPatch } from './patch-types.js';

export type ParsedPatchAnswer =
  | { type: 'patches'; patches: Patch[]; rejected: RejectedPatch[] }
  | { type: 'no_patches'; reason: string };

/** Longer answers are refused unread; the client caps the bytes it reads anyway. */
export const MAX_ANSWER_CHARS = 2 * 1024 * 1024;

/** How many `{` starts and `}` ends are tried when prose surrounds the JSON. */
const MAX_STARTS = 8;
const MAX_ENDS = 8;

function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Candidate JSON texts, most likely first: the whole answer, fenced blocks, then `{`…`}` slices. */
function* candidates(answer: string): Generator<string> {
  yield answer;
  for (const match of answer.matchAll(/```[ \t]*(?:json|JSON|jsonc)?[ \t]*\r?\n?([\s\S]*?)```/g)) {
    if (match[1] !== undefined) yield match[1];
  }
  // An unclosed fence (the answer was cut, or the model forgot it) still shows where JSON starts.
  const starts: number[] = [];
  for (let at = answer.indexOf('{'); at >= 0 && starts.length < MAX_STARTS; at = answer.indexOf('{', at + 1)) {
    starts.push(at);
  }
  const ends: number[] = [];
  for (let at = answer.lastIndexOf('}'); at >= 0 && ends.length < MAX_ENDS; at = answer.lastIndexOf('}', at - 1)) {
    ends.push(at);
  }
  for (const start of starts) {
    for (const end of ends) {
      if (end > start) yield answer.slice(start, end + 1);
    }
  }
}

function describeIssues(issues: z.core.$ZodIssue[], item: unknown): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      const key = issue.path[0];
      const missing =
        issue.code === 'invalid_type' &&
        issue.path.length === 1 &&
        typeof item === 'object' &&
        item !== null &&
        typeof key === 'string' &&
        !(key in item);
      const what = missing ? 'missing' : issue.code === 'invalid_type' ? `expected ${issue.expected}` : issue.message;
      return path ? `${path}: ${what}` : what;
    })
    .join('; ');
}

/** What a rejected item said about itself, where it said it in the right type. */
function selfDescription(item: unknown): { rationale: string; confidence: number | null } {
  if (typeof item !== 'object' || item === null) return { rationale: '', confidence: null };
  const rationale = 'rationale' in item && typeof item.rationale === 'string' ? item.rationale.slice(0, 2000) : '';
  const confidence =
    'confidence' in item && typeof item.confidence === 'number' && Number.isFinite(item.confidence)
      ? item.confidence
      : null;
  return { rationale, confidence };
}

/** The reason of a well-formed answer with an empty patch list: the model found nothing to change. */
export const NO_PATCHES_PROPOSED = 'model proposed no patches';

/**
 * Reads the patch model's answer: one JSON object `{"patches":[...]}`, possibly inside a
 * markdown fence or surrounded by prose. Each item is validated on its own, so one malformed
 * patch is rejected with its reason while the others stand.
 */
export function parsePatchAnswer(content: string): ParsedPatchAnswer {
  const answer = content.trim();
  if (answer === '') return { type: 'no_patches', reason: 'model returned an empty answer' };
  if (answer.length > MAX_ANSWER_CHARS) {
    return { type: 'no_patches', reason: `model answer too long (${answer.length} characters)` };
  }

  let firstError: string | null = null;
  let schemaError: string | null = null;
  let response: z.infer<typeof PatchResponse> | null = null;
  for (const candidate of candidates(answer)) {
    let value: unknown;
    try {
      value = JSON.parse(candidate);
    } catch (error) {
      firstError ??= error instanceof Error ? error.message : String(error);
      continue;
    }
    const parsed = PatchResponse.safeParse(value);
    if (parsed.success) {
      response = parsed.data;
      break;
    }
    schemaError ??= describeIssues(parsed.error.issues, value);
  }
  if (response === null) {
    return schemaError !== null
      ? { type: 'no_patches', reason: oneLine(`model answer is not a patch list: ${schemaError}`) }
      : { type: 'no_patches', reason: oneLine(`model answer is not JSON: ${firstError ?? 'no JSON object found'}`) };
  }
  if (response.patches.length === 0) return { type: 'no_patches', reason: NO_PATCHES_PROPOSED };

  const patches: Patch[] = [];
  const rejected: RejectedPatch[] = [];
  response.patches.forEach((item, index) => {
    const label = `patch ${index + 1}`;
    const parsed = Patch.safeParse(item);
    if (!parsed.success) {
      rejected.push({ reason: oneLine(`${label}: ${describeIssues(parsed.error.issues, item)}`), ...selfDescription(item) });
      return;
    }
    const patch = parsed.data;
    const refuse = (why: string) =>
      rejected.push({ reason: `${label}: ${why}`, rationale: patch.rationale, confidence: patch.confidence });
    if (patch.old_string === '') refuse('old_string is empty');
    else if (patch.old_string === patch.new_string) refuse('old_string equals new_string (no change)');
    else patches.push(patch);
  });
  return { type: 'patches', patches, rejected };
}
