import { z } from 'zod';

/** One patch as the model proposes it. */
export const Patch = z.object({
  old_string: z.string(),
  new_string: z.string(),
  rationale: z.string().max(2000).default(''),
  confidence: z.number().min(0).max(100),
});
export type Patch = z.infer<typeof Patch>;

export const PatchResponse = z.object({ patches: z.array(z.unknown()).max(50) });

export interface AppliedPatch {
  rationale: string;
  confidence: number;
  /** max(lines(old), lines(new)) */
  lines: number;
  old_string: string;
  new_string: string;
}

export interface RejectedPatch {
  reason: string;
  rationale: string;
  confidence: number | null;
}

export type PatchRequestResult =
  | { type: 'patches'; patches: Patch[]; rejected: RejectedPatch[]; durationMs: number }
  | { type: 'no_patches'; reason: string; durationMs: number };

export interface ApplyResult {
  /** The patched file, with the file's own line endings restored. */
  content: string;
  applied: AppliedPatch[];
  rejected: RejectedPatch[];
}
