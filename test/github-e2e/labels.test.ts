import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { review, writeReviewLog } from '../helpers/cli-harness.js';
import { asStrings, branchOf, createE2eRig, mockCreatePullFor, record, SHAPES, type E2eRig } from '../helpers/github-e2e.js';
import { labelCreation } from '../helpers/github-e2e-expect.js';
import { mockAddLabels, mockCreateLabel, mockListLabels, mockListPulls } from '../helpers/github-mocks.js';

const LONG_REVIEWER = 'accounts/fireworks/models/qwen3-coder-480b-a35b-instruct-2507';
const LONG_PATCH_MODEL = 'openrouter/moonshotai/kimi-k2-0905-preview:free, fast';

let rig: E2eRig;
beforeEach(async () => {
  rig = await createE2eRig({ reviews: false });
  writeReviewLog(rig.repo.dir, [review(SHAPES, { accepted_model: LONG_REVIEWER, confidence_avg: 97.6, gradient_tier: 'auto' })]);
});
afterEach(async () => {
  await rig.close();
});

describe('labels from untrusted model names', () => {
  it('fit in 50 characters, stay distinct, carry their family colour, and are created before use', async () => {
    const mock = rig.newMock();
    mockListPulls(mock, [[]]);
    // Two of the nine exist already (in another case): they are not created again.
    mockListLabels(mock, ['SCRUM-APPLY', 'Tier:Auto']);
    mockCreateLabel(mock, { times: 7 });
    mockCreatePullFor(mock, branchOf(SHAPES), 1);
    mockAddLabels(mock, 1);
    const result = await rig.run(['--only', SHAPES, '--model', LONG_PATCH_MODEL]);
    expect(result.code).toBe(0);
    mock.done();
    expect(rig.lastRun().get(SHAPES)).toMatchObject({ action: 'pr_opened', patch_model: LONG_PATCH_MODEL });

    const added = asStrings(record(mock.requests.find((r) => r.path === '/repos/octo/demo/issues/1/labels')?.body).labels);
    expect(added).toHaveLength(9);
    for (const name of added) {
      expect(name.length, name).toBeLessThanOrEqual(50);
      expect(name, name).not.toMatch(/[\s,]/);
    }
    const reviewer = added.find((name) => name.startsWith('reviewer:')) ?? '';
    const patchModel = added.find((name) => name.startsWith('patch-model:')) ?? '';
    // Cut names keep a short hash of the whole name.
    expect(reviewer).toMatch(/^reviewer:accounts\/fireworks\/models\/qwen3-co~[0-9a-f]{6}$/);
    expect(patchModel).toMatch(/^patch-model:openrouter\/moonshotai\/kimi-k2-0~[0-9a-f]{6}$/);
    expect([reviewer.length, patchModel.length]).toEqual([50, 50]);
    expect(added).toContain('confidence:97');

    // Label creation came first, for every label that did not exist (case-insensitively), once.
    const creations = mock.writes().filter((w) => w.path === '/repos/octo/demo/labels');
    expect(creations.map((w) => w.body)).toEqual(added.filter((n) => n !== 'scrum-apply' && n !== 'tier:auto').map(labelCreation));
    const order = mock.writes().map((w) => w.path);
    expect(order.lastIndexOf('/repos/octo/demo/labels')).toBeLessThan(order.indexOf('/repos/octo/demo/issues/1/labels'));
  });
});
