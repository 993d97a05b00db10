import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AppliedPatch } from '../patches/patch-types.js';

/** What a PR body remembers about the change it carries; the idempotency key. */
export const PrMeta = z.object({
  v: z.literal(1),
  file: z.string().min(1),
  /** The base commit the branch was built from. */
  base: z.string().regex(/^[0-9a-f]{7,64}$/),
  /** patchHash() of the applied patches. */
  patch: z.string().regex(/^[0-9a-f]{64}$/),
  run: z.string(),
  /** inputFingerprint() of what the PR was built from (blob, review, model, prompt, gates). */
  input: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  /** reviewFingerprint() of the review row that selected the file. */
  review: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  /** The file's blob at `base`. */
  blob: z.string().regex(/^[0-9a-f]{40,64}$/).optional(),
  /** The applied patches, to re-apply on a moved base without asking the model again. */
  patches: z
    .array(z.object({ old_string: z.string(), new_string: z.string(), rationale: z.string(), confidence: z.number() }))
    .max(50)
    .optional(),
});
export type PrMeta = z.infer<typeof PrMeta>;

const META_PATTERN = /<!-- scrum-apply:meta ([A-Za-z0-9+/]+={0,2}) -->/g;

export function renderPrMeta(meta: PrMeta): string {
  return `<!-- scrum-apply:meta ${Buffer.from(JSON.stringify(meta), 'utf8').toString('base64')} -->`;
}

/**
 * The metadata of a body we wrote, or null (a person's PR, an edited body, garbage). The last
 * marker wins: ours is appended after everything else, so a marker quoted inside the diff or
 * the build output cannot stand in for it.
 */
export function parsePrMeta(body: string): PrMeta | null {
  const matches = [...body.matchAll(META_PATTERN)];
  const encoded = matches.at(-1)?.[1];
  if (encoded === undefined) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
  } catch {
    // People can edit a PR body: a block that does not decode is no metadata, as is none.
    return null;
  }
  const parsed = PrMeta.safeParse(decoded);
  return parsed.success ? parsed.data : null;
}

/** A stable hash of what a PR changes: the file and each applied patch's old and new text. */
export function patchHash(file: string, applied: Pick<AppliedPatch, 'old_string' | 'new_string'>[]): string {
  const key = JSON.stringify([file, applied.map((p) => [p.old_string, p.new_string])]);
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
