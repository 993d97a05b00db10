import type { AppliedPatch } from '../patches/patch-types.js';

/** Model-written text reduced to one plain line: it ends up in git history. */
function oneLine(text: string, max: number): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\p{Cf}]+/gu, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat || '(no rationale given)';
}

export function commitMessage(file: string, applied: AppliedPatch[]): string {
  const n = applied.length;
  const subject = `scrum-apply: ${n} mechanical ${n === 1 ? 'fix' : 'fixes'} in ${file}`;
  const lines = applied.map((p) => `- ${oneLine(p.rationale, 200)} (confidence ${p.confidence})`);
  return `${subject}\n\n${lines.join('\n')}\n`;
}
