import { expect } from 'vitest';
import { parsePrMeta, patchHash } from '../../src/report/pr-body.js';
import { branchOf, FORMAT, mockCreatePullFor, SHAPES, type E2eRig } from './github-e2e.js';
import { mockAddLabels, mockCreateLabel, mockListLabels, mockListPulls, type GitHubMock } from './github-mocks.js';

/**
 * What the demo's two green files should become on GitHub, written out by hand (not computed
 * with the code under test) so a change in titles, labels or colours shows up as a failure.
 */

export const SHAPES_TITLE = `scrum-apply: 2 mechanical fixes in ${SHAPES}`;
export const FORMAT_TITLE = `scrum-apply: 1 mechanical fix in ${FORMAT}`;

const COMMON_LABELS = ['scrum-apply', 'scrum-apply:committed', 'tier:auto', 'reviewer:kimi-k2:1t', 'patch-model:qwen3-coder:480b'];

export const SHAPES_LABELS = [...COMMON_LABELS.slice(0, 3), 'confidence:96', ...COMMON_LABELS.slice(3), 'patches:2', 'rejected:0', 'check:green'];
export const FORMAT_LABELS = [...COMMON_LABELS.slice(0, 3), 'confidence:94', ...COMMON_LABELS.slice(3), 'patches:1', 'rejected:0', 'check:green'];

const FAMILIES: Array<[prefix: string, color: string, description: string]> = [
  ['scrum-apply:', '7057ff', 'scrum-apply: what the bot did'],
  ['tier:', 'fbca04', 'scrum-apply: review tier of the file'],
  ['confidence:', '1d76db', 'scrum-apply: average review confidence'],
  ['reviewer:', 'c5def5', 'scrum-apply: the reviewing model'],
  ['patch-model:', 'bfdadc', 'scrum-apply: the model that wrote the patches'],
  ['patches:', '0e8a16', 'scrum-apply: patches applied'],
  ['rejected:', 'd93f0b', 'scrum-apply: patches rejected by the gates'],
  ['check:', 'c2e0c6', 'scrum-apply: result of the check command'],
];

/** The POST /labels body that creates `name`, with its family's colour. */
export function labelCreation(name: string): { name: string; color: string; description: string } {
  if (name === 'scrum-apply') return { name, color: '5319e7', description: 'Opened by scrum-apply: mechanical fixes from code review' };
  const family = FAMILIES.find(([prefix]) => name.startsWith(prefix));
  if (family === undefined) throw new Error(`not a bot label: ${name}`);
  return { name, color: family[1], description: family[2] };
}

/** The recorded answers' patches (examples/demo/llm-answers.json), as old/new pairs. */
export const SHAPES_PATCHES = [
  { old_string: '//! Shapes and their areas.\n', new_string: '//! Shapes and their areas.\n\nuse std::f64::consts::PI;\n' },
  { old_string: '        3.14159 * self.radius * self.radius', new_string: '        PI * self.radius * self.radius' },
];
export const FORMAT_PATCHES = [
  { old_string: 'pub fn describe(rect: &Rect) -> String {', new_string: '#[must_use]\npub fn describe(rect: &Rect) -> String {' },
];

/** Every section of the PR body template is there, in order, with the metadata last. */
export function expectBodySections(body: string): void {
  const headings = ['### Applied patches', '### Rejected patches', '### Review', '<details><summary>Review excerpt', '### Check', '<details><summary>Output', '### Diff'];
  const positions = headings.map((h) => body.indexOf(h));
  expect(positions.every((p) => p > 0), `sections ${JSON.stringify(headings)} at ${JSON.stringify(positions)}`).toBe(true);
  expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  expect(body.trimEnd()).toMatch(/<!-- scrum-apply:meta [A-Za-z0-9+/]+={0,2} -->$/);
}

/** The hidden metadata names the file, the base commit, the patches, the run and the input fingerprints. */
export function expectMeta(body: string, expected: { file: string; base: string; runId: string; patches: Array<{ old_string: string; new_string: string }> }): void {
  const meta = parsePrMeta(body);
  expect(meta).toMatchObject({
    v: 1,
    file: expected.file,
    base: expected.base,
    patch: patchHash(expected.file, expected.patches),
    run: expected.runId,
    input: expect.stringMatching(/^[0-9a-f]{64}$/),
    review: expect.stringMatching(/^[0-9a-f]{64}$/),
    blob: expect.stringMatching(/^[0-9a-f]{40}$/),
  });
  expect(meta?.patches?.map((p) => ({ old_string: p.old_string, new_string: p.new_string }))).toEqual(expected.patches);
}

/** A first run that opens shapes.rs's PR as #1 (nothing listed, its labels created); its mock. */
export async function openShapesPr(rig: E2eRig): Promise<GitHubMock> {
  const mock = rig.newMock();
  mockListPulls(mock, [[]]);
  mockListLabels(mock, []);
  mockCreateLabel(mock, { times: SHAPES_LABELS.length });
  mockCreatePullFor(mock, branchOf(SHAPES), 1);
  mockAddLabels(mock, 1);
  const result = await rig.run(['--only', SHAPES]);
  expect(result.code).toBe(0);
  mock.done();
  expect(rig.lastRun().get(SHAPES)?.action).toBe('pr_opened');
  return mock;
}
