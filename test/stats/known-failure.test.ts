import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { computeStats } from '../../src/stats/compute-stats.js';
import { auditRow, writeAuditLog } from '../helpers/audit-rows.js';
import { captureLogger } from '../helpers/github-mocks.js';

const dir = mkdtempSync(join(tmpdir(), 'scrum-apply-known-failure-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function funnel(since: string | null) {
  const log = writeAuditLog(join(dir, 'audit.jsonl'), [
    auditRow({ file: 'src/red.rs' }, { action: 'build_red_reverted', ts: '2026-06-01T10:00:00.000Z' }),
    // Later runs skipped it without asking the model: no new attempt.
    auditRow({ file: 'src/red.rs' }, { action: 'skipped_known_failure', ts: '2026-06-05T10:00:00.000Z' }),
    auditRow({ file: 'src/red.rs' }, { action: 'skipped_known_failure', ts: '2026-06-06T10:00:00.000Z' }),
  ]);
  const report = await computeStats({
    auditLogs: [log],
    forge: null,
    forgeKind: 'none',
    branchPrefix: 'scrum-apply/',
    since: since === null ? null : new Date(since),
    by: null,
    targetPrecision: 0.8,
    currentMinConfidence: 90,
    logger: captureLogger().logger,
    now: () => new Date('2026-07-01T00:00:00Z'),
  });
  return report.overall;
}

describe('stats and the failure memory', () => {
  it('a known failure skipped without asking the model is not a new selection: the red attempt counts once, and not in a window after it', async () => {
    expect(await funnel(null)).toMatchObject({ selected: 1, answered: 1, passedGates: 1, green: 0 });
    expect((await funnel('2026-06-03T00:00:00Z')).selected).toBe(0);
  });
});
