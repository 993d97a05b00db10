import type { AppliedPatch } from '../patches/patch-types.js';

/** Model-written text reduced to one plain line: it ends up in git history. */
function oneLine(text: string, max: number): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\p{Cf}]+/gu, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat || '(no rationale given)';
}

/** What a branch commit remembers of its inputs (input-fingerprint.ts), for `--forge none` too. */
export interface CommitTrailers {
  input: string;
  review: string;
}

const INPUT_TRAILER = 'Scrum-Apply-Input';
const REVIEW_TRAILER = 'Scrum-Apply-Review';

export function commitMessage(file: string, applied: AppliedPatch[], trailers?: CommitTrailers): string {
  const n = applied.length;
  const subject = `scrum-apply: ${n} mechanical ${n === 1 ? 'fix' : 'fixes'} in ${file}`;
  const lines = applied.map((p) => `- ${oneLine(p.rationale, 200)} (confidence ${p.confidence})`);
  const tail = trailers === undefined ? '' : `\n${INPUT_TRAILER}: ${trailers.input}\n${REVIEW_TRAILER}: ${trailers.review}\n`;
  return `${subject}\n\n${lines.join('\n')}\n${tail}`;
}

/** The trailers of a message commitMessage() wrote; null when it has none. */
export function readTrailers(message: string): CommitTrailers | null {
  const input = new RegExp(`^${INPUT_TRAILER}: ([0-9a-f]{64})$`, 'm').exec(message)?.[1];
  const review = new RegExp(`^${REVIEW_TRAILER}: ([0-9a-f]{64})$`, 'm').exec(message)?.[1];
  return input === undefined || review === undefined ? null : { input, review };
}
