import { RepoConfig } from '../../src/config/config-schema.js';
import { createRedactor, secretsFromEnv } from '../../src/log/redact.js';
import { readLatestReviews } from '../../src/reviews/read-reviews.js';
import { selectFiles } from '../../src/reviews/select-files.js';

/**
 * Selection from a review log (argv[2]) with the default settings (reading, redaction of the
 * latest reviews, the eligibility gates and the ordering), in a process of its own
 * so its peak RSS is the selection's. Prints one JSON line.
 */
async function main(): Promise<void> {
  const path = process.argv[2];
  if (!path) throw new Error('usage: select-child.js REVIEW_LOG');
  const config = RepoConfig.parse({});
  const redact = createRedactor(secretsFromEnv(process.env));
  const started = performance.now();
  // As runPipeline reads it.
  const log = await readLatestReviews(path, { maxLineBytes: config.maxReviewLineBytes, maxRows: config.maxReviewRows, redact, deferText: true });
  const selection = selectFiles(log.latest, {
    minConfidence: config.minConfidence,
    minFindingConfidence: config.minFindingConfidence,
    excludeTiers: config.excludeTiers,
    deny: config.deny,
  });
  const ms = performance.now() - started;
  const line = {
    rows: log.rows,
    files: log.latest.size,
    eligible: selection.eligible.length,
    malformed: log.malformed,
    ms: Math.round(ms),
    maxRssKb: process.resourceUsage().maxRSS,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

await main();
