import { join } from 'node:path';
import { pullPayload, type GitHubMock, mockListPulls } from '../helpers/github-mocks.js';
import { auditRow, sha, writeAuditLog, type ReviewSpec } from '../helpers/audit-rows.js';

/**
 * A small history with a known truth, over two audit logs (the CLI's and the server's):
 * reviewer kimi reaches every stage and every PR outcome once or twice; reviewer glm shows a
 * review superseded on its PR by a newer one, and a merge the log cannot judge (a row
 * written before head_sha existed). See EXPECTED for every number it must produce.
 */

const KIMI = 'kimi-k2:1t';
const GLM = 'glm-4.6';

const review = (file: string, reviewer: string, extra: Partial<ReviewSpec> = {}): ReviewSpec => ({ file: `crates/app/src/${file}.rs`, reviewer, ...extra });

/** Reviewer kimi's n-th review (1–10). */
const a = (n: number): ReviewSpec => review(`a${n}`, KIMI);
const b1 = review('b1', GLM);
const b2 = review('b2', GLM);
const b3 = review('b3', GLM, { reviewedAt: '2026-05-30T09:00:00Z' });
const b3Newer = review('b3', GLM, { reviewedAt: '2026-06-02T09:00:00Z' });
const b4 = review('b4', GLM);

/** Each PR's head when the forge lists it, and when it was opened and decided. */
export const FORGE_PRS = [
  { number: 1, file: a(5), state: 'closed', merged: true, headSha: sha(1), hours: 2 },
  { number: 2, file: a(6), state: 'closed', merged: true, headSha: sha(0xe2), hours: 10 }, // a person's commit on top
  { number: 3, file: a(7), state: 'closed', merged: true, headSha: sha(0xe3), hours: 30 }, // a later run found a person's commit on the branch
  { number: 4, file: a(8), state: 'closed', merged: false, headSha: sha(4), hours: 4 },
  { number: 5, file: a(9), state: 'open', merged: false, headSha: sha(5), hours: 0 },
  // #6 (a10) is gone from the forge: unknown
  { number: 7, file: b1, state: 'closed', merged: true, headSha: sha(7), hours: 1 },
  { number: 8, file: b2, state: 'closed', merged: true, headSha: sha(8), hours: 50 },
  { number: 9, file: b3Newer, state: 'closed', merged: true, headSha: sha(0x9b), hours: 6 },
] as const;

export function writeSyntheticHistory(dir: string): { cli: string; server: string } {
  const cli = writeAuditLog(join(dir, 'cli.jsonl'), [
    auditRow(a(1), { action: 'no_patches' }),
    auditRow(a(1), { action: 'no_patches', ts: '2026-06-02T10:00:00.000Z' }), // the same review again
    auditRow(a(2), { action: 'all_rejected' }),
    auditRow(a(3), { action: 'build_red_reverted' }),
    auditRow(a(4), { action: 'dry_run_committed' }),
    auditRow(a(5), { action: 'pr_opened', pr: 1, headSha: sha(1) }),
    auditRow(a(5), { action: 'pr_unchanged', pr: 1, ts: '2026-06-02T10:00:00.000Z' }),
    auditRow(a(6), { action: 'pr_opened', pr: 2, headSha: sha(2) }),
    'not json at all',
    auditRow(a(7), { action: 'pr_opened', pr: 3, legacy: true }), // no head_sha: only the later skip tells
    auditRow(a(7), { action: 'skipped_human_edited', pr: 3, ts: '2026-06-02T10:00:00.000Z' }),
    auditRow(a(8), { action: 'pr_opened', pr: 4, headSha: sha(4) }),
    auditRow(a(9), { action: 'pr_opened', pr: 5, headSha: sha(5) }),
    auditRow(a(10), { action: 'pr_opened', pr: 6, headSha: sha(6) }),
  ]);
  const server = writeAuditLog(join(dir, 'server.jsonl'), [
    auditRow(b1, { action: 'pr_opened', pr: 7, headSha: sha(7) }),
    auditRow(b2, { action: 'pr_opened', pr: 8, legacy: true }),
    { ...auditRow(b4, { action: 'error' }), check: 'green' }, // wrong type: malformed
    auditRow(b3, { action: 'pr_opened', pr: 9, headSha: sha(0x9a) }),
    auditRow(b3Newer, { action: 'pr_updated', pr: 9, headSha: sha(0x9b), ts: '2026-06-02T10:00:00.000Z' }),
    auditRow(b4, { action: 'skipped_open_pr_limit' }),
    // A command that failed before any file (server/run-audit-row.ts): not part of the funnel.
    { ...auditRow({ file: '' }, { action: 'error' }), file: '' },
  ]);
  return { cli, server };
}

/** The forge's one listing, over two pages, with PRs that are not the bot's mixed in. */
export function mockForgeListing(mock: GitHubMock): void {
  const opened = Date.parse('2026-06-01T10:00:00Z');
  const pulls = FORGE_PRS.map((pr) =>
    pullPayload({
      number: pr.number,
      head: `scrum-apply/${pr.file.file}`,
      state: pr.state,
      merged: pr.merged,
      headSha: pr.headSha,
      createdAt: new Date(opened).toISOString(),
      closedAt: pr.state === 'closed' ? new Date(opened + pr.hours * 3_600_000).toISOString() : undefined,
    }),
  );
  const person = pullPayload({ number: 30, head: 'feature/faster-parser', state: 'closed', merged: true });
  const stray = pullPayload({ number: 31, head: 'scrum-apply/crates/app/src/never-logged.rs' });
  mockListPulls(mock, [[person, ...pulls.slice(0, 4)], [...pulls.slice(4), stray]]);
}

const outcomes = (o: Partial<Record<string, number>>) => ({
  merged_as_proposed: 0,
  merged_after_edits: 0,
  merged_edits_unknown: 0,
  closed_unmerged: 0,
  closed_obsolete: 0,
  open: 0,
  unknown: 0,
  ...o,
});

/** Every number the history must produce, worked out by hand. */
export const EXPECTED = {
  overall: {
    group: 'all',
    selected: 15,
    answered: 14,
    passedGates: 13,
    green: 12,
    prsOpened: 9,
    rates: { answered: 14 / 15, passedGates: 13 / 14, green: 12 / 13, prOpened: 9 / 12 },
    outcomes: outcomes({ merged_as_proposed: 3, merged_after_edits: 2, merged_edits_unknown: 1, closed_unmerged: 1, open: 1, unknown: 1 }),
    decided: 7,
    mergeRate: 6 / 7,
    precision: 3 / 6,
    medianHoursToDecision: 6, // 1 2 4 [6] 10 30 50
  },
  kimi: {
    group: KIMI,
    selected: 10,
    answered: 9,
    passedGates: 8,
    green: 7,
    prsOpened: 6,
    rates: { answered: 9 / 10, passedGates: 8 / 9, green: 7 / 8, prOpened: 6 / 7 },
    outcomes: outcomes({ merged_as_proposed: 1, merged_after_edits: 2, closed_unmerged: 1, open: 1, unknown: 1 }),
    decided: 4,
    mergeRate: 3 / 4,
    precision: 1 / 4,
    medianHoursToDecision: 7, // 2 4 | 10 30
  },
  glm: {
    group: GLM,
    selected: 5,
    answered: 5,
    passedGates: 5,
    green: 5,
    prsOpened: 3,
    rates: { answered: 1, passedGates: 1, green: 1, prOpened: 3 / 5 },
    outcomes: outcomes({ merged_as_proposed: 2, merged_edits_unknown: 1 }),
    decided: 3,
    mergeRate: 1,
    precision: 1,
    medianHoursToDecision: 6, // 1 [6] 50
  },
};
