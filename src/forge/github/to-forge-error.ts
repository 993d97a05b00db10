import { z } from 'zod';
import { describeError, type Redactor } from '../../log/redact.js';
import { ForgeError } from '../types.js';

const WithStatus = z.object({ status: z.number().int() });
const ValidationFailure = z.object({
  status: z.literal(422),
  response: z.object({ data: z.object({ errors: z.array(z.object({ code: z.string().optional() })) }) }),
});

/** The HTTP status of an Octokit RequestError, or null for anything else. */
export function statusOf(error: unknown): number | null {
  const parsed = WithStatus.safeParse(error);
  return parsed.success ? parsed.data.status : null;
}

/** A 422 whose validation errors include `code` (e.g. `already_exists`). */
export function isValidationError(error: unknown, code: string): boolean {
  const parsed = ValidationFailure.safeParse(error);
  return parsed.success && parsed.data.response.data.errors.some((e) => e.code === code);
}

/**
 * A one-line, redacted ForgeError naming what failed. Octokit's RequestError already drops the
 * authorization header; the message is redacted anyway because it echoes server text. The
 * original error is not kept as `cause`: whatever logs this error must not find a secret in it.
 */
export function toForgeError(error: unknown, what: string, redact: Redactor): ForgeError {
  if (error instanceof ForgeError) return error;
  const status = statusOf(error);
  const detail =
    error instanceof z.ZodError ? `unexpected response: ${z.prettifyError(error)}` : describeError(error, redact);
  const message = redact(`GitHub ${what} failed${status === null ? '' : ` (HTTP ${status})`}: ${detail}`)
    .replace(/\s*\n\s*/g, ' ')
    .slice(0, 1000);
  return new ForgeError(message, status);
}
