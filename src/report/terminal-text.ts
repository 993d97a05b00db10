/**
 * Control, format (bidi, zero-width), line/paragraph separator and unassigned or private-use
 * characters: in a terminal they move the cursor, rewrite the title, reorder or hide text.
 * Paths and reasons come from the review log and the model, so they are printed escaped.
 */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\u2028\u2029]/gu;
const UNPRINTABLE_EXCEPT_NEWLINE = /[^\P{Cc}\n]|[\p{Cf}\p{Co}\p{Cn}\u2028\u2029]/gu;

/** `\uXXXX` per UTF-16 unit (a character outside the BMP becomes its surrogate pair, as JSON has it). */
function escapeUnits(char: string): string {
  let out = '';
  for (let i = 0; i < char.length; i += 1) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

/** One line of untrusted text for a terminal: every unprintable character as `\uXXXX`. */
export function terminalText(text: string): string {
  return text.replace(UNPRINTABLE, escapeUnits);
}

/**
 * JSON for stdout: JSON.stringify escapes C0 controls but leaves bidi and zero-width
 * characters raw; escaped here too (`\uXXXX` is valid JSON, so the value is unchanged).
 */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(UNPRINTABLE_EXCEPT_NEWLINE, escapeUnits);
}
