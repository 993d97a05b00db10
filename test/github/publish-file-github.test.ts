import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publishFile } from '../../src/pipeline/publish-file.js';
import {
  createGitHubMock,
  createMockedGitHubForge,
  mockAddLabels,
  mockCreateLabel,
  mockCreatePull,
  mockListLabels,
  mockListPulls,
  mockSetLabels,
  mockUpdatePull,
  pullPayload,
  type GitHubMock,
} from '../helpers/github-mocks.js';
import { botBody, BRANCH, COMMIT, LABELS, OTHER_PATCH, publishInput, REMOTE } from '../helpers/publish-fixtures.js';

const LABEL_NAMES = LABELS.map((l) => l.name);

/** The forge and this branch's PRs, listed the way the pipeline lists them (once per run). */
async function listed(mock: GitHubMock, pulls: Array<Record<string, unknown>>) {
  mockListPulls(mock, [pulls]);
  const forge = createMockedGitHubForge();
  const prs = (await forge.listBotPrs('scrum-apply/')).filter((pr) => pr.headBranch === BRANCH);
  mock.requests.length = 0;
  return { forge, prs };
}

describe('publishFile with the GitHub forge', () => {
  let mock: GitHubMock;
  beforeEach(() => {
    nock.disableNetConnect();
    mock = createGitHubMock();
  });
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('opens a new PR with two writes (labels already exist)', async () => {
    const { forge, prs } = await listed(mock, []);
    mockCreatePull(mock, 51);
    mockListLabels(mock, LABEL_NAMES);
    mockAddLabels(mock, 51);
    const input = publishInput(forge, { prs });
    expect(await publishFile(input)).toEqual({
      action: 'pr_opened',
      pr: { number: 51, url: 'https://github.com/acme/widgets/pull/51' },
      reason: null,
      headSha: COMMIT,
    });
    expect(input.pushes).toEqual([{ branch: BRANCH, commitSha: COMMIT, expectedRemoteSha: null }]);
    expect(mock.writes().map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/repos/acme/widgets/pulls', { title: input.title, head: BRANCH, base: 'main', body: input.body, draft: false }],
      ['POST', '/repos/acme/widgets/issues/51/labels', { labels: LABEL_NAMES }],
    ]);
    mock.done();
  });

  it('creates missing labels once per run, not once per PR', async () => {
    const { forge } = await listed(mock, []);
    mockListLabels(mock, []);
    mockCreateLabel(mock, { times: LABELS.length });
    mockCreatePull(mock, 61);
    mockAddLabels(mock, 61);
    mockCreatePull(mock, 62);
    mockAddLabels(mock, 62);
    await publishFile(publishInput(forge));
    const before = mock.writes().length;
    expect(before).toBe(2 + LABELS.length);
    expect(await publishFile(publishInput(forge, { branch: 'scrum-apply/src/other.rs' }))).toMatchObject({ action: 'pr_opened' });
    expect(mock.writes().length - before).toBe(2);
    mock.done();
  });

  it('makes no request at all and pushes nothing for an unchanged PR', async () => {
    const { forge, prs } = await listed(mock, [pullPayload({ number: 7, head: BRANCH, body: botBody(), labels: LABEL_NAMES })]);
    const input = publishInput(forge, { prs, remoteBranchSha: REMOTE });
    expect(await publishFile(input)).toMatchObject({ action: 'pr_unchanged', pr: { number: 7 } });
    expect(input.pushes).toEqual([]);
    expect(mock.requests).toEqual([]);
    mock.done();
  });

  it('updates a PR for a new patch: push, PATCH, PUT labels keeping a person-added label', async () => {
    const current = { number: 7, head: BRANCH, title: 'old', body: botBody(OTHER_PATCH), labels: ['scrum-apply', 'tier:manual', 'needs-backport'] };
    const { forge, prs } = await listed(mock, [pullPayload(current)]);
    mockUpdatePull(mock, current);
    mockListLabels(mock, [...LABEL_NAMES, 'needs-backport']);
    mockSetLabels(mock, 7);
    const input = publishInput(forge, { prs, remoteBranchSha: REMOTE });
    expect(await publishFile(input)).toMatchObject({ action: 'pr_updated', pr: { number: 7 } });
    expect(input.pushes).toEqual([{ branch: BRANCH, commitSha: COMMIT, expectedRemoteSha: REMOTE }]);
    expect(mock.writes().map((r) => [r.method, r.path, r.body])).toEqual([
      ['PATCH', '/repos/acme/widgets/pulls/7', { title: input.title, body: input.body }],
      ['PUT', '/repos/acme/widgets/issues/7/labels', { labels: ['needs-backport', ...LABEL_NAMES] }],
    ]);
    mock.done();
  });

  it('skips a PR closed unmerged for the same patch, a human-edited branch and the open-PR limit without a request', async () => {
    const closed = pullPayload({ number: 3, head: BRANCH, state: 'closed', body: botBody() });
    const { forge, prs } = await listed(mock, [closed]);
    const declined = publishInput(forge, { prs, remoteBranchSha: REMOTE });
    expect(await publishFile(declined)).toMatchObject({ action: 'skipped_closed_pr', pr: { number: 3 } });

    const edited = publishInput(forge, { remoteBranchSha: REMOTE, isBotOnlyBranch: async () => false });
    expect(await publishFile(edited)).toMatchObject({ action: 'skipped_human_edited' });

    const full = publishInput(forge, { openPrs: { count: 3, max: 3 } });
    expect(await publishFile(full)).toMatchObject({ action: 'skipped_open_pr_limit', pr: null });

    expect([...declined.pushes, ...edited.pushes, ...full.pushes]).toEqual([]);
    expect(mock.requests).toEqual([]);
    mock.done();
  });
});
