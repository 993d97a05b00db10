import { join } from 'node:path';
import { auditRow, sha, writeAuditLog } from '../helpers/audit-rows.js';
import { mockListPulls, pullPayload, type GitHubMock } from '../helpers/github-mocks.js';

/**
 * 90 PRs in four confidence bands, with a known calibration. A band is its review's
 * confidence, its patches' confidences, and how its PRs ended. The "lower of the two" (what
 * minConfidence gates on) comes from the patch in the 85 band and from the review in the 90 band.
 *
 *   band   review  patches   PRs: as proposed / after edits / closed / open   precision
 *   80–84    82    [82]           8 / 0 / 12 / 0                             8/20 = 0.40
 *   85–89    96    [87, 97]      20 / 5 /  0 / 5                            20/25 = 0.80
 *   90–94    91    [99]          27 / 0 /  3 / 0                            27/30 = 0.90
 *   95–100  100    [95]          10 / 0 /  0 / 0                            10/10 (few)
 *
 * Kept from a threshold up: 80 → 65/85 = 0.76, 85 → 57/65 = 0.88, 90 → 37/40 = 0.925.
 */
const BANDS = [
  { name: 'b80', review: 82, patches: [82], asProposed: 8, afterEdits: 0, closed: 12, open: 0 },
  { name: 'b85', review: 96, patches: [87, 97], asProposed: 20, afterEdits: 5, closed: 0, open: 5 },
  { name: 'b90', review: 91, patches: [99], asProposed: 27, afterEdits: 0, closed: 3, open: 0 },
  { name: 'b95', review: 100, patches: [95], asProposed: 10, afterEdits: 0, closed: 0, open: 0 },
];

export function writeCalibrationHistory(dir: string, mock: GitHubMock): string {
  const rows: Array<Record<string, unknown>> = [];
  const pulls: Array<Record<string, unknown>> = [];
  let number = 0;
  for (const band of BANDS) {
    const fates = [
      ...Array<string>(band.asProposed).fill('as-proposed'),
      ...Array<string>(band.afterEdits).fill('after-edits'),
      ...Array<string>(band.closed).fill('closed'),
      ...Array<string>(band.open).fill('open'),
    ];
    for (const [i, fate] of fates.entries()) {
      number += 1;
      const file = `crates/${band.name}/src/m${i}.rs`;
      rows.push(auditRow({ file, confidence: band.review }, { action: 'pr_opened', pr: number, headSha: sha(number), patchConfidences: band.patches }));
      pulls.push(
        pullPayload({
          number,
          head: `scrum-apply/${file}`,
          state: fate === 'open' ? 'open' : 'closed',
          merged: fate === 'as-proposed' || fate === 'after-edits',
          headSha: fate === 'after-edits' ? sha(0xe000 + number) : sha(number),
        }),
      );
    }
  }
  mockListPulls(mock, [pulls.slice(0, 50), pulls.slice(50)]);
  return writeAuditLog(join(dir, 'audit.jsonl'), rows);
}
