import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { computeStats, type StatsOptions } from '../../src/stats/compute-stats.js';
import { captureLogger, createGitHubMock, createMockedGitHubForge, type GitHubMock } from '../helpers/github-mocks.js';
import { writeCalibrationHistory } from './calibration-history.js';

let dir: string;
let mock: GitHubMock;

beforeEach(() => {
  nock.disableNetConnect();
  mock = createGitHubMock();
  dir = mkdtempSync(join(tmpdir(), 'scrum-apply-calibration-'));
});

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  rmSync(dir, { recursive: true, force: true });
});

async function stats(overrides: Partial<StatsOptions> = {}) {
  const log = writeCalibrationHistory(dir, mock);
  const report = await computeStats({
    auditLogs: [log],
    forge: createMockedGitHubForge(),
    forgeKind: 'github',
    branchPrefix: 'scrum-apply/',
    since: null,
    by: null,
    targetPrecision: 0.8,
    currentMinConfidence: 90,
    logger: captureLogger().logger,
    now: () => new Date('2026-07-01T00:00:00Z'),
    ...overrides,
  });
  mock.done();
  return report;
}

const bucket = (low: number, high: number, prs: number, decided: number, mergedAsProposed: number, enoughData: boolean) => ({
  low,
  high,
  label: `${low}–${high}`,
  prs,
  decided,
  mergedAsProposed,
  precision: mergedAsProposed / decided,
  enoughData,
});

describe('calibration on a history with a known truth', () => {
  it('per bucket of the review’s, the patch’s and the lower confidence', async () => {
    const { calibration, overall } = await stats();
    expect(overall).toMatchObject({ prsOpened: 90, decided: 85, precision: 65 / 85 });
    expect(calibration.byEffective).toEqual([
      bucket(80, 84, 20, 20, 8, true),
      bucket(85, 89, 30, 25, 20, true),
      bucket(90, 94, 30, 30, 27, true),
      bucket(95, 100, 10, 10, 10, false),
    ]);
    expect(calibration.byReview).toEqual([bucket(80, 84, 20, 20, 8, true), bucket(90, 94, 30, 30, 27, true), bucket(95, 100, 40, 35, 30, true)]);
    expect(calibration.byPatch).toEqual([bucket(80, 84, 20, 20, 8, true), bucket(85, 89, 30, 25, 20, true), bucket(95, 100, 40, 40, 37, true)]);
  });

  it('target 0.8: minConfidence 85, 30 PRs more than the current 90', async () => {
    expect((await stats()).calibration.suggestion).toEqual({
      type: 'suggested',
      minConfidence: 85,
      precision: 57 / 65,
      decided: 65,
      prs: 70,
      currentMinConfidence: 90,
      prsChange: 30,
    });
  });

  it('target 0.9: minConfidence 90, the PRs of today', async () => {
    expect((await stats({ targetPrecision: 0.9 })).calibration.suggestion).toEqual({
      type: 'suggested',
      minConfidence: 90,
      precision: 37 / 40,
      decided: 40,
      prs: 40,
      currentMinConfidence: 90,
      prsChange: 0,
    });
  });

  it('target 0.95: no bucket with enough data reaches it; the best one is named', async () => {
    // 95–100 alone would (10/10) — but 10 decided PRs are too few to trust.
    expect((await stats({ targetPrecision: 0.95 })).calibration.suggestion).toEqual({
      type: 'target_not_reached',
      bestMinConfidence: 90,
      bestPrecision: 37 / 40,
    });
  });

  it('from a current minConfidence of 95, the suggestion adds the PRs it lets in', async () => {
    const { suggestion } = (await stats({ currentMinConfidence: 95 })).calibration;
    expect(suggestion).toMatchObject({ minConfidence: 85, prs: 70, prsChange: 60 });
  });
});
