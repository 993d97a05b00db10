import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EMPTY_DASHBOARD, renderDashboard, tickedBoxes } from '../../src/report/dashboard.js';
import { mockEditIssue, mockListIssues } from '../helpers/dashboard-mocks.js';
import { runCliCaptured } from '../helpers/cli-harness.js';
import { git } from '../helpers/fixture-repo.js';
import { branchOf, createE2eRig, mockCreatePullFor, pullsAfter, record, RED, SHAPES, type E2eRig } from '../helpers/github-e2e.js';
import { SHAPES_LABELS } from '../helpers/github-e2e-expect.js';
import { mockAddLabels, mockCreateLabel, mockListLabels, mockListPulls, mockUpdatePull, type GitHubMock } from '../helpers/github-mocks.js';

/**
 * The dashboard's failure memory and its boxes as a CLI run with a forge sees them: the real
 * pipeline (git, cargo, the model stand-in) against GitHub mocked with nock, contract-checked.
 */

const ISSUE = 3;
const LABEL = 'scrum-apply';

let rig: E2eRig;
beforeEach(async () => {
  rig = await createE2eRig();
});
afterEach(async () => {
  await rig.close();
});

/** The body the run wrote to the dashboard (the last PATCH of the issue), or null when it wrote none. */
function written(mock: GitHubMock): string | null {
  const edits = mock.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/issues/${ISSUE}`));
  const last = edits.at(-1);
  return last === undefined ? null : String(record(last.body).body);
}

/** The body with these boxes ticked, as a person ticks them. */
function tick(body: string, ...boxes: string[]): string {
  return boxes.reduce((text, box) => {
    const [action, file] = box.split(' ');
    const marker = `- [ ] <!-- scrum-apply:${action}${file === undefined ? '' : ` ${encodeURIComponent(file)}`} -->`;
    expect(text).toContain(marker);
    return text.replace(marker, marker.replace('[ ]', '[x]'));
  }, body);
}

/** Prompts the model got since `from` requests, by the file each was about. */
function askedAbout(from: number, files: string[]): string[] {
  return rig.llm.requests.slice(from).map((request) => files.find((file) => request.prompt.includes(file)) ?? '(another file)');
}

/** One applied run: the PR listing, the dashboard read (and written, when `write`), then `more` mocks. */
async function run(dashboard: string, options: { args?: string[]; write: boolean; pulls?: Array<Record<string, unknown>>; more?: (mock: GitHubMock) => void }): Promise<GitHubMock> {
  const mock = rig.newMock();
  mockListPulls(mock, [options.pulls ?? []]);
  mockListIssues(mock, LABEL, [[{ number: ISSUE, body: dashboard }]]);
  if (options.write) mockEditIssue(mock, ISSUE);
  options.more?.(mock);
  const result = await rig.run(options.args ?? []);
  expect(result.stderr).not.toMatch(/could not (read|write) the dashboard/);
  expect(result.code).toBe(0);
  mock.done();
  return mock;
}

// Written once by the App: the "Run scrum-apply now" box stays when the CLI writes.
const FIRST = renderDashboard(EMPTY_DASHBOARD, { maxLength: 60_000, runBox: true });

describe('the dashboard as failure memory and as run inputs (GitHub, CLI)', () => {
  it('a red file is not re-bought with the same inputs; its retry box, or a newer review, asks again — that file only', async () => {
    // 1. Red: the dashboard remembers it with its inputs.
    let asked = rig.llm.requests.length;
    const red = written(await run(FIRST, { args: ['--only', RED], write: true })) ?? '';
    expect(rig.lastRun().get(RED)?.action).toBe('build_red_reverted');
    expect(askedAbout(asked, [RED])).toEqual([RED]);
    expect(red).toContain(`<!-- scrum-apply:retry ${encodeURIComponent(RED)} -->`);

    // 2. Same inputs: not sent to the model, reported with the earlier reason and date; the dashboard stays as it is.
    asked = rig.llm.requests.length;
    const quiet = await run(red, { args: ['--only', RED], write: false });
    expect(rig.llm.requests.length).toBe(asked);
    expect(quiet.writes()).toEqual([]);
    const skipped = rig.lastRun().get(RED);
    expect(skipped).toMatchObject({ action: 'skipped_known_failure', check: null });
    expect(skipped?.reason).toMatch(/^the check was red on \d{4}-\d{2}-\d{2} with these same inputs \(.+\); tick its retry box to ask again$/);

    // 3. A maintainer ticks its retry box; the scheduled run (no --only) runs that file only, and the write clears the box.
    asked = rig.llm.requests.length;
    const retried = written(await run(tick(red, `retry ${RED}`), { write: true })) ?? '';
    expect([...rig.lastRun().keys()]).toEqual([RED]);
    expect(rig.lastRun().get(RED)?.action).toBe('build_red_reverted');
    expect(askedAbout(asked, [RED, SHAPES])).toEqual([RED]);
    expect(tickedBoxes(retried)).toEqual([]);
    expect(retried).toContain(`- [ ] <!-- scrum-apply:retry ${encodeURIComponent(RED)} -->`);

    // 4. A newer review of it: new inputs, asked again without a box.
    rig.newerReview(RED);
    asked = rig.llm.requests.length;
    await run(retried, { args: ['--only', RED], write: true });
    expect(askedAbout(asked, [RED])).toEqual([RED]);
    expect(rig.lastRun().get(RED)?.action).toBe('build_red_reverted');
  });

  it('"run now" is a normal run (known failures stay skipped); "retry all red" asks again for the red files only', async () => {
    const red = written(await run(FIRST, { args: ['--only', RED], write: true })) ?? '';
    let asked = rig.llm.requests.length;
    const ran = written(await run(tick(red, 'run-now'), { args: ['--only', RED], write: true })) ?? '';
    expect(rig.lastRun().get(RED)?.action).toBe('skipped_known_failure');
    expect(rig.llm.requests.length).toBe(asked);
    expect(tickedBoxes(ran)).toEqual([]);

    asked = rig.llm.requests.length;
    await run(tick(ran, 'retry-red'), { write: true });
    expect([...rig.lastRun().keys()]).toEqual([RED]);
    expect(askedAbout(asked, [RED])).toEqual([RED]);

    // A dry run reads the dashboard and says what its boxes would do: nothing is listed, pushed or written.
    const mock = rig.newMock();
    mockListIssues(mock, LABEL, [[{ number: ISSUE, body: tick(ran, 'retry-red') }]]);
    const dry = await runCliCaptured(['run', '--forge', 'github', '--audit-log', rig.auditPath], rig.repo.dir, rig.env({ LOG_FORMAT: 'json' }));
    expect(dry.code).toBe(0);
    mock.done();
    expect(mock.writes()).toEqual([]);
    expect(dry.stderr).toContain('dry run: would act on the boxes ticked in the dashboard');
    expect([...rig.lastRun().entries()].map(([file, row]) => [file, row.action, row.dry_run])).toEqual([[RED, 'build_red_reverted', true]]);
  });

  it('rebuild re-asks and pushes an unchanged PR; allow lets a declined file be proposed again for the same review', async () => {
    // An open PR for shapes.rs, its inputs unchanged since.
    const opened = await run(FIRST, {
      args: ['--only', SHAPES],
      write: true,
      more: (mock) => {
        mockListLabels(mock, []);
        mockCreateLabel(mock, { times: SHAPES_LABELS.length });
        mockCreatePullFor(mock, branchOf(SHAPES), 1);
        mockAddLabels(mock, 1);
      },
    });
    const dashboard = written(opened) ?? '';
    const [listed] = pullsAfter(opened, () => 1);
    if (listed === undefined) throw new Error('no PR was opened');
    const before = git(rig.repo.origin, 'rev-parse', branchOf(SHAPES)).trim();

    // Its rebuild box: the model is asked again, the check runs, the PR is pushed though nothing changed.
    let asked = rig.llm.requests.length;
    await run(tick(dashboard, `rebuild ${SHAPES}`), {
      write: true,
      pulls: [listed],
      more: (mock) => mockUpdatePull(mock, { number: 1, head: branchOf(SHAPES), labels: SHAPES_LABELS }),
    });
    expect(askedAbout(asked, [SHAPES])).toEqual([SHAPES]);
    expect(rig.lastRun().get(SHAPES)).toMatchObject({ action: 'pr_updated', pr: { number: 1 }, check: { green: true } });
    expect(git(rig.repo.origin, 'rev-parse', branchOf(SHAPES)).trim()).not.toBe(before);

    // A person closes it: declined for this review …
    const closed = { ...listed, state: 'closed', merged_at: null };
    const declined = written(await run(dashboard, { args: ['--only', SHAPES], write: true, pulls: [closed] })) ?? '';
    expect(rig.lastRun().get(SHAPES)?.action).toBe('skipped_closed_pr');
    // … until its "allow again" box: proposed again, for the same review.
    asked = rig.llm.requests.length;
    await run(tick(declined, `allow ${SHAPES}`), {
      write: true,
      pulls: [closed],
      more: (mock) => {
        mockListLabels(mock, SHAPES_LABELS);
        mockCreatePullFor(mock, branchOf(SHAPES), 2);
        mockAddLabels(mock, 2);
      },
    });
    expect(askedAbout(asked, [SHAPES])).toEqual([SHAPES]);
    expect(rig.lastRun().get(SHAPES)).toMatchObject({ action: 'pr_opened', pr: { number: 2 } });
  });
});
