import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGiteaIssueMock, dashboardSections, mockGiteaCreateIssue, mockGiteaListIssues, sentDashboardBody } from '../helpers/dashboard-mocks.js';
import { createGiteaRig, GITEA, mockCreateLabels, mockCreatePullFor, mockListLabels, mockListPulls, pullsAfter, type GiteaRig } from '../helpers/gitea-e2e.js';
import { branchOf, FORMAT, NO_PATCHES, RED, REJECTED, SHAPES } from '../helpers/github-e2e.js';
import { FORMAT_LABELS, SHAPES_LABELS } from '../helpers/github-e2e-expect.js';

const EXISTING = [
  { id: 7, name: 'bug' },
  { id: 8, name: 'scrum-apply' },
];
const MISSING = [...new Set([...SHAPES_LABELS, ...FORMAT_LABELS])].filter((name) => !EXISTING.some((label) => label.name === name));

let rig: GiteaRig;
beforeEach(async () => {
  rig = await createGiteaRig();
});
afterEach(async () => {
  await rig.close();
});

describe('the dashboard issue after scrum-apply run --apply --forge gitea', () => {
  it('the first applied run opens it (issues only, by label), every file in one section; an unchanged re-run writes nothing', async () => {
    const first = rig.newMock();
    mockListPulls(first, []);
    mockListLabels(first, EXISTING);
    mockCreateLabels(first, MISSING.length);
    mockCreatePullFor(first, branchOf(SHAPES), 1);
    mockCreatePullFor(first, branchOf(FORMAT), 2);
    const issues = createGiteaIssueMock(GITEA, rig.token);
    mockGiteaListIssues(issues, 'scrum-apply', [[{ number: 3, body: 'a person’s issue about the bot' }]]);
    mockGiteaCreateIssue(issues, 40);

    const result = await rig.run();
    expect(result.code).toBe(0);
    first.done();
    issues.done();
    rig.expectNoToken(result);

    // Created with the existing label's id; nothing else written to issues.
    expect(issues.writes().map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/v1/repos/octo/demo/issues']);
    expect(issues.writes()[0]?.body).toMatchObject({ title: 'scrum-apply dashboard', labels: [8] });
    const body = sentDashboardBody(issues.requests) ?? '';
    const sections = dashboardSections(body);
    const placed = (file: string) => [...sections].filter(([, text]) => text.includes(`\`${file}\``)).map(([heading]) => heading);
    expect(Object.fromEntries([SHAPES, FORMAT, RED, REJECTED, NO_PATCHES].map((file) => [file, placed(file)]))).toEqual({
      [SHAPES]: ['Open PRs'],
      [FORMAT]: ['Open PRs'],
      [RED]: ['Red: the check failed'],
      [REJECTED]: ['All patches rejected, or no patches'],
      [NO_PATCHES]: ['All patches rejected, or no patches'],
    });
    expect(sections.get('Open PRs')).toContain(`— [#1](${GITEA.url}/octo/demo/pulls/1)`);
    const firstError = rig.lastRun().get(RED)?.check?.errors?.[0];
    expect(sections.get('Red: the check failed')).toContain(`${firstError?.code} ${firstError?.message}`);

    // Again with nothing new: the dashboard is read, not written.
    const second = rig.newMock();
    mockListPulls(second, pullsAfter(first));
    const again = createGiteaIssueMock(GITEA, rig.token);
    mockGiteaListIssues(again, 'scrum-apply', [[{ number: 40, body }]]);
    expect((await rig.run()).code).toBe(0);
    second.done();
    again.done();
    expect(again.writes()).toEqual([]);
    expect(second.writes()).toEqual([]);
  });
});
