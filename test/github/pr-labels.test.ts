import { describe, expect, it } from 'vitest';
import { isBotLabel, labelsFor, mergeLabels, MAX_LABEL_LENGTH, obsoleteLabels, type LabelInput } from '../../src/report/pr-labels.js';

const INPUT: LabelInput = {
  action: 'committed',
  tier: 'auto',
  confidenceAvg: 95.7,
  reviewerModel: 'kimi-k2:1t',
  patchModel: 'qwen3-coder:480b',
  applied: 2,
  rejected: 1,
  green: true,
};

describe('labelsFor', () => {
  it('mirrors the audit row', () => {
    expect(labelsFor(INPUT).map((l) => l.name)).toEqual([
      'scrum-apply',
      'scrum-apply:committed',
      'tier:auto',
      'confidence:95',
      'reviewer:kimi-k2:1t',
      'patch-model:qwen3-coder:480b',
      'patches:2',
      'rejected:1',
      'check:green',
    ]);
  });

  it('gives each family one colour and every label a valid colour and description', () => {
    const labels = labelsFor(INPUT);
    for (const label of labels) {
      expect(label.color).toMatch(/^[0-9a-f]{6}$/);
      expect((label.description ?? '').length).toBeLessThanOrEqual(100);
    }
    const red = labelsFor({ ...INPUT, green: false, tier: 'manual' });
    expect(red.find((l) => l.name === 'check:red')?.color).toBe(labels.find((l) => l.name === 'check:green')?.color);
    expect(new Set(labels.map((l) => l.color)).size).toBe(labels.length);
  });

  it('keeps every name within 50 characters; long model names stay distinct', () => {
    const long = 'organisation/very-long-model-name-for-reviews-2025-01-01-preview';
    const a = labelsFor({ ...INPUT, reviewerModel: `${long}-a`, patchModel: `${long}-a` });
    const b = labelsFor({ ...INPUT, reviewerModel: `${long}-b`, patchModel: `${long}-b` });
    for (const label of [...a, ...b]) expect(label.name.length).toBeLessThanOrEqual(MAX_LABEL_LENGTH);
    const reviewerA = a.find((l) => l.name.startsWith('reviewer:'))?.name;
    const reviewerB = b.find((l) => l.name.startsWith('reviewer:'))?.name;
    expect(reviewerA).toMatch(/^reviewer:organisation\/very-long-model-name-~[0-9a-f]{6}$/);
    expect(reviewerA).toHaveLength(50);
    expect(reviewerA).not.toBe(reviewerB);
  });

  it('cleans whitespace, commas and invisible characters out of values', () => {
    const labels = labelsFor({ ...INPUT, reviewerModel: 'gpt 4o,\u202emini\n', tier: '' });
    expect(labels.map((l) => l.name)).toContain('reviewer:gpt-4o-mini');
    expect(labels.map((l) => l.name)).toContain('tier:unknown');
  });
});

describe('isBotLabel and mergeLabels', () => {
  it('recognises exactly the bot families', () => {
    for (const name of labelsFor(INPUT).map((l) => l.name)) expect(isBotLabel(name)).toBe(true);
    expect(isBotLabel('Tier:Auto')).toBe(true);
    for (const name of ['scrum-apply-ish', 'bug', 'needs review', 'checks', 'patches', 'priority:high']) {
      expect(isBotLabel(name)).toBe(false);
    }
  });

  it("replaces the bot's families and keeps the labels a person added", () => {
    const current = ['scrum-apply', 'tier:manual', 'confidence:91', 'patches:1', 'needs-backport', 'Good First Issue'];
    expect(mergeLabels(current, labelsFor(INPUT))).toEqual([
      'needs-backport',
      'Good First Issue',
      'scrum-apply',
      'scrum-apply:committed',
      'tier:auto',
      'confidence:95',
      'reviewer:kimi-k2:1t',
      'patch-model:qwen3-coder:480b',
      'patches:2',
      'rejected:1',
      'check:green',
    ]);
  });
});

describe('obsoleteLabels', () => {
  it('trades the action label for pr_closed_obsolete and adds the cause; a person’s labels and the review’s stay', () => {
    const current = ['scrum-apply', 'scrum-apply:committed', 'tier:auto', 'needs-thought', 'obsolete:gates'];
    const labels = obsoleteLabels(current, 'file-deleted');
    expect(labels.map((l) => l.name)).toEqual(['scrum-apply', 'tier:auto', 'needs-thought', 'scrum-apply:pr_closed_obsolete', 'obsolete:file-deleted']);
    expect(labels.at(-1)).toEqual({ name: 'obsolete:file-deleted', color: 'cfd3d7', description: 'scrum-apply: why the bot closed this PR' });
    expect(isBotLabel('obsolete:file-deleted')).toBe(true);
  });
});
