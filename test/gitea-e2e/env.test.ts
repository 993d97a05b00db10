import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { snapshotRemote } from '../helpers/fixture-repo.js';
import {
  API,
  createGiteaRig,
  GITEA,
  idsOf,
  mockCreatePullFor,
  mockListLabels,
  mockListPulls,
  prUrl,
  type GiteaRig,
} from '../helpers/gitea-e2e.js';
import { branchOf, record, SHAPES } from '../helpers/github-e2e.js';
import { SHAPES_LABELS } from '../helpers/github-e2e-expect.js';

let rig: GiteaRig;
beforeEach(async () => {
  rig = await createGiteaRig();
});
afterEach(async () => {
  await rig.close();
});

describe('the Gitea forge from the environment', () => {
  it('under Gitea Actions the runner’s GITHUB_* variables alone select and configure Gitea', async () => {
    const mock = rig.newMock();
    mockListPulls(mock, []);
    mockListLabels(mock, SHAPES_LABELS.map((name, i) => ({ id: 40 + i, name })));
    mockCreatePullFor(mock, branchOf(SHAPES), 3);
    // What act_runner sets for a scheduled workflow; no GITEA_URL, GITEA_TOKEN or GITEA_REPOSITORY, no --forge.
    const result = await rig.cli(['run', '--apply', '--audit-log', rig.auditPath, '--only', SHAPES], {
      GITEA_ACTIONS: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_SERVER_URL: GITEA.url,
      GITHUB_API_URL: `${GITEA.url}/api/v1`,
      GITHUB_REPOSITORY: 'octo/demo',
      GITHUB_TOKEN: rig.token,
      GITHUB_EVENT_NAME: 'schedule',
      GITHUB_ACTOR: 'gitea-actions',
    });
    expect(result.stderr).not.toMatch(/run failed/);
    expect(result.code).toBe(0);
    mock.done(); // every request went to the Gitea API with `Authorization: token <GITHUB_TOKEN>`
    rig.expectNoToken(result);

    expect(rig.lastRun().get(SHAPES)).toMatchObject({
      action: 'pr_opened',
      pr: { number: 3, url: prUrl(3) },
      trigger: 'schedule',
      actor: 'gitea-actions',
    });
    const post = mock.writes().find((w) => w.path === `${API}/pulls`);
    expect(record(post?.body).labels).toEqual(idsOf(mock, SHAPES_LABELS));
    expect(mock.writes()).toHaveLength(1);
  });

  it('--forge gitea without GITEA_TOKEN fails at once: exit 1, one line naming the variable, nothing done', async () => {
    const remote = snapshotRemote(rig.repo.origin);
    const { GITEA_TOKEN: _token, ...withoutToken } = rig.giteaEnv;
    const result = await rig.cli(['run', '--apply', '--forge', 'gitea', '--audit-log', rig.auditPath], withoutToken);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('scrum-apply: GITEA_TOKEN is not set: a Gitea access token with write access to the repository\n');
    expect(rig.llm.requests).toEqual([]);
    expect(existsSync(rig.auditPath)).toBe(false);
    expect(snapshotRemote(rig.repo.origin)).toBe(remote);

    // Under Gitea Actions either variable will do, and the message says so.
    const actions = await rig.cli(['run', '--apply', '--forge', 'gitea'], { ...withoutToken, GITEA_ACTIONS: 'true' });
    expect(actions.code).toBe(1);
    expect(actions.stderr).toBe('scrum-apply: GITEA_TOKEN or GITHUB_TOKEN is not set: a Gitea access token with write access to the repository\n');
  });
});
