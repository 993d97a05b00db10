import { z } from 'zod';

/** One row of the review log. Only the fields we read; other fields are ignored. */
export const ReviewRow = z.object({
  file: z.string().min(1),
  reviewed_at: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'is not a date-time'),
  accepted_model: z.string().optional(),
  suggestions_preview: z.string().optional(),
  confidence_avg: z.number().nullable().optional(),
  confidence_min: z.number().nullable().optional(),
  gradient_tier: z.string().optional(),
});
export type ReviewRow = z.infer<typeof ReviewRow>;

/** A review row with its time parsed and the line it came from. */
export interface Review {
  file: string;
  reviewedAt: number;
  reviewedAtText: string;
  model: string;
  text: string;
  confidenceAvg: number;
  confidenceMin: number;
  tier: string;
  line: number;
  /**
   * Where the row is in the log, when its text was left there to keep memory flat over a large
   * log (readLatestReviews' deferText): `text` is empty until loadReviewTexts reads it.
   */
  textAt?: { offset: number; bytes: number };
}
