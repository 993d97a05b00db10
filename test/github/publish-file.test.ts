import { describe, expect, it } from 'vitest';
import { ForgeError } from '../../src/forge/types.js';
import { publishFile, type PublishInput } from '../../src/pipeline/publish-file.js';
import { BASE_SHA, botBody, BRANCH, COMMIT, fakeForge, forgePr, LABELS, OTHER_PATCH, publishInput, REMOTE } from '../helpers/publish-fixtures.js';

describe('publishFile (any forge)', () => {
  it('pushes a new branch and opens a PR with the labels', async () => {
    const forge = fakeForge();
    const input = publishInput(forge, { draft: true });
    const outcome = await publishFile(input);
    expect(outcome).toEqual({ action: 'pr_opened', pr: { number: 41, url: 'https://forge.test/acme/widgets/pull/7' }, reason: null, headSha: COMMIT });
    expect(input.pushes).toEqual([{ branch: BRANCH, commitSha: COMMIT, expectedRemoteSha: null }]);
    expect(forge.created).toEqual([{ head: BRANCH, base: 'main', title: input.title, body: input.body, draft: true, labels: LABELS }]);
  });

  it('leaves an open PR with the same base and patch alone: no push, no write', async () => {
    const forge = fakeForge();
    const labelled = forgePr({ labels: [...LABELS.map((l) => l.name), 'needs-review'] });
    const input = publishInput(forge, { remoteBranchSha: REMOTE, prs: [labelled] });
    // The branch's tip is not vouched for: nothing checked that it is still the bot's.
    expect(await publishFile(input)).toMatchObject({ action: 'pr_unchanged', pr: { number: 7 }, headSha: null });
    expect(input.pushes).toEqual([]);
    expect(forge.created).toEqual([]);
    expect(forge.updated).toEqual([]);
  });

  it('re-mirrors labels that drifted from the audit row on an otherwise unchanged PR, and nothing else', async () => {
    const forge = fakeForge();
    const drifted = forgePr({ labels: ['scrum-apply', 'confidence:80', 'needs-review'] });
    const input = publishInput(forge, { remoteBranchSha: REMOTE, prs: [drifted] });
    expect(await publishFile(input)).toMatchObject({ action: 'pr_updated', reason: 'labels brought in line with the audit row', headSha: null });
    expect(input.pushes).toEqual([]);
    expect(forge.updated).toHaveLength(1);
    expect(forge.updated[0]?.update.title).toBe(drifted.title);
    expect(forge.updated[0]?.update.body).toBe(drifted.body);
    expect(forge.updated[0]?.update.labels.map((l) => l.name).sort()).toEqual([...LABELS.map((l) => l.name), 'needs-review'].sort());
  });

  it('says, before writing to the forge, when it will not push (labels only, or the branch already holds the commit)', async () => {
    const cases: Array<[Partial<PublishInput>, string]> = [
      [{ remoteBranchSha: REMOTE, prs: [forgePr({ labels: ['scrum-apply', 'confidence:80'] })] }, 'pr_updated'],
      [{ remoteBranchSha: COMMIT, prs: [forgePr({ body: botBody(OTHER_PATCH) })] }, 'pr_updated'],
      [{ remoteBranchSha: COMMIT }, 'pr_opened'],
    ];
    for (const [overrides, action] of cases) {
      const forge = fakeForge();
      const writesSeen: number[] = [];
      const input = publishInput(forge, { ...overrides, noPush: () => writesSeen.push(forge.created.length + forge.updated.length) });
      expect(await publishFile(input)).toMatchObject({ action });
      expect(input.pushes).toEqual([]);
      expect(writesSeen).toEqual([0]);
      expect(forge.created.length + forge.updated.length).toBe(1);
    }
    // A file that pushes, or makes no write at all, is not told.
    const quiet: Array<Partial<PublishInput>> = [{}, { remoteBranchSha: REMOTE, prs: [forgePr({ labels: LABELS.map((l) => l.name) })] }];
    for (const overrides of quiet) {
      const forge = fakeForge();
      let told = 0;
      await publishFile(publishInput(forge, { ...overrides, noPush: () => (told += 1) }));
      expect(told).toBe(0);
    }
  });

  it('republishes an unchanged PR when forced', async () => {
    const forge = fakeForge();
    const input = publishInput(forge, { remoteBranchSha: REMOTE, prs: [forgePr()], force: true });
    expect(await publishFile(input)).toMatchObject({ action: 'pr_updated' });
    expect(input.pushes).toEqual([{ branch: BRANCH, commitSha: COMMIT, expectedRemoteSha: REMOTE }]);
  });

  it('updates the open PR for a new patch or a new base, keeping labels a person added', async () => {
    for (const body of [botBody(OTHER_PATCH), botBody(undefined, 'f'.repeat(40)), 'a body a person rewrote']) {
      const forge = fakeForge();
      const open = forgePr({ body, labels: ['scrum-apply', 'tier:manual', 'needs-backport'] });
      const input = publishInput(forge, { remoteBranchSha: REMOTE, prs: [open] });
      expect(await publishFile(input)).toEqual({ action: 'pr_updated', pr: { number: 7, url: open.url }, reason: null, headSha: COMMIT });
      expect(input.pushes).toEqual([{ branch: BRANCH, commitSha: COMMIT, expectedRemoteSha: REMOTE }]);
      expect(input.authorChecks).toEqual([REMOTE]);
      expect(forge.updated).toHaveLength(1);
      expect(forge.updated[0]?.update.title).toBe(input.title);
      expect(forge.updated[0]?.update.body).toBe(input.body);
      expect(forge.updated[0]?.update.labels.map((l) => l.name)).toEqual(['needs-backport', ...LABELS.map((l) => l.name)]);
    }
  });

  it('never reopens or recreates a PR a person closed for the same patch, even when forced', async () => {
    const forge = fakeForge();
    const closed = forgePr({ number: 3, state: 'closed', merged: false });
    const input = publishInput(forge, { remoteBranchSha: REMOTE, prs: [closed], force: true });
    expect(await publishFile(input)).toEqual({
      action: 'skipped_closed_pr',
      pr: { number: 3, url: closed.url },
      reason: 'PR #3 with this patch was closed without merging',
      headSha: null,
    });
    expect(input.pushes).toEqual([]);
    expect(forge.created).toEqual([]);
  });

  it('opens a new PR when the closed one carried another patch or was merged', async () => {
    for (const closed of [forgePr({ number: 3, state: 'closed', body: botBody(OTHER_PATCH) }), forgePr({ number: 3, state: 'closed', merged: true })]) {
      const forge = fakeForge();
      const input = publishInput(forge, { prs: [closed] });
      expect(await publishFile(input)).toMatchObject({ action: 'pr_opened' });
      expect(forge.created).toHaveLength(1);
    }
  });

  it('leaves a branch with a person’s commits alone', async () => {
    const forge = fakeForge();
    const input = publishInput(forge, { remoteBranchSha: REMOTE, prs: [forgePr({ body: botBody(OTHER_PATCH) })], isBotOnlyBranch: async () => false });
    expect(await publishFile(input)).toMatchObject({ action: 'skipped_human_edited', pr: { number: 7 }, reason: 'the branch has commits by someone else', headSha: null });
    expect(input.pushes).toEqual([]);
    expect(forge.updated).toEqual([]);
  });

  it('opens no PR beyond maxOpenPrs, before pushing; an existing PR is still updated', async () => {
    const forge = fakeForge();
    const input = publishInput(forge, { openPrs: { count: 10, max: 10 } });
    expect(await publishFile(input)).toEqual({
      action: 'skipped_open_pr_limit',
      pr: null,
      reason: '10 scrum-apply PRs are open (maxOpenPrs is 10)',
      headSha: null,
    });
    expect(input.pushes).toEqual([]);
    expect(forge.created).toEqual([]);

    const update = publishInput(forge, { openPrs: { count: 10, max: 10 }, remoteBranchSha: REMOTE, prs: [forgePr({ body: botBody(OTHER_PATCH) })] });
    expect(await publishFile(update)).toMatchObject({ action: 'pr_updated' });
  });

  it('touches no labels when labels are disabled', async () => {
    const forge = fakeForge();
    await publishFile(publishInput(forge, { labelsEnabled: false }));
    expect(forge.created[0]?.labels).toEqual([]);
    const open = forgePr({ body: botBody(OTHER_PATCH), labels: ['tier:manual', 'mine'] });
    await publishFile(publishInput(forge, { labelsEnabled: false, remoteBranchSha: REMOTE, prs: [open] }));
    expect(forge.updated[0]?.update.labels.map((l) => l.name)).toEqual(['tier:manual', 'mine']);
  });

  it('does not push when the remote branch already holds the commit', async () => {
    const forge = fakeForge();
    const input = publishInput(forge, { remoteBranchSha: COMMIT, prs: [forgePr({ body: botBody(undefined, 'f'.repeat(40)) })] });
    expect(await publishFile(input)).toMatchObject({ action: 'pr_updated' });
    expect(input.pushes).toEqual([]);
  });

  it('ignores PRs of other branches and prefers the open PR on our base', async () => {
    const forge = fakeForge();
    const input = publishInput(forge, {
      remoteBranchSha: REMOTE,
      prs: [
        forgePr({ number: 1, headBranch: 'scrum-apply/src/other.rs', state: 'closed' }),
        forgePr({ number: 2, baseBranch: 'release', body: botBody(OTHER_PATCH) }),
        forgePr({ number: 5, baseBranch: 'main', body: botBody(undefined, BASE_SHA), labels: LABELS.map((l) => l.name) }),
      ],
    });
    expect(await publishFile(input)).toMatchObject({ action: 'pr_unchanged', pr: { number: 5 } });
  });
});

describe('publishFile when another run got there first', () => {
  const alreadyExists = new ForgeError('GitHub create a PR failed (HTTP 422): Validation Failed: A pull request already exists for acme:scrum-apply/src/format.rs.', 422);

  it('a 422 "already exists" on create: the branch\'s PR is read once; with our inputs it is pr_unchanged, never an error', async () => {
    const forge = fakeForge();
    const theirs = forgePr({ number: 9 });
    const listed: string[] = [];
    const input = publishInput(
      {
        ...forge,
        createPr: async () => {
          throw alreadyExists;
        },
        listBotPrs: async (prefix) => (listed.push(prefix), [theirs, forgePr({ number: 10, headBranch: `${BRANCH}-other` })]),
      },
      {},
    );
    expect(await publishFile(input)).toEqual({ action: 'pr_unchanged', pr: { number: 9, url: theirs.url }, reason: 'the PR was opened by a concurrent run', headSha: null });
    expect(listed).toEqual([BRANCH]);
  });

  it('a rejected push lease: the PR as the other run left it is pr_updated "by a concurrent run"', async () => {
    const forge = fakeForge();
    const input = publishInput(
      { ...forge, listBotPrs: async () => [forgePr({ number: 9, body: botBody(OTHER_PATCH) })] },
      {
        push: async (branch) => {
          throw new Error(`push to ${branch} was rejected: stale info`);
        },
      },
    );
    const outcome = await publishFile({ ...input, inputFingerprint: 'e'.repeat(64) });
    expect(outcome).toEqual({ action: 'pr_updated', pr: { number: 9, url: 'https://forge.test/acme/widgets/pull/7' }, reason: 'the PR was updated by a concurrent run', headSha: null });
    expect(forge.created).toEqual([]);
  });

  it.each([
    '[remote rejected] (failed to update ref)',
    '[remote rejected] (cannot lock ref \'refs/heads/scrum-apply/src/lib.rs\': reference already exists)',
    '[remote rejected] (incorrect old value provided)',
  ])('a push refused because the other run won the race for the ref (%s) is reported as that run did it', async (reason) => {
    const forge = fakeForge();
    const input = publishInput(
      { ...forge, listBotPrs: async () => [forgePr({ number: 9, body: botBody(OTHER_PATCH) })] },
      {
        push: async (branch) => {
          throw new Error(`push to ${branch} was rejected: ${reason}`);
        },
      },
    );
    const outcome = await publishFile({ ...input, inputFingerprint: 'e'.repeat(64) });
    expect(outcome).toMatchObject({ action: 'pr_updated', pr: { number: 9 }, reason: 'the PR was updated by a concurrent run' });
    expect(forge.created).toEqual([]);
  });

  it('a push refused for another reason is still an error', async () => {
    const forge = fakeForge();
    const input = publishInput(forge, {
      push: async (branch) => {
        throw new Error(`push to ${branch} was rejected: [remote rejected] (pre-receive hook declined)`);
      },
    });
    await expect(publishFile(input)).rejects.toThrow(/pre-receive hook declined/);
  });

  it('any other refusal is still an error', async () => {
    const forge = fakeForge();
    const input = publishInput({ ...forge, createPr: async () => Promise.reject(new ForgeError('GitHub create a PR failed (HTTP 422): Validation Failed: No commits between', 422)) });
    await expect(publishFile(input)).rejects.toThrow(/No commits between/);
  });
});

describe('prHourlyLimit', () => {
  it('opens no new PR once prHourlyLimit PRs were opened in the last hour; an open PR is still updated', async () => {
    const forge = fakeForge();
    const limited = publishInput(forge, { hourlyPrs: { count: 3, max: 3 } });
    expect(await publishFile(limited)).toEqual({
      action: 'skipped_pr_hourly_limit',
      pr: null,
      reason: '3 scrum-apply PRs were opened in the last hour (prHourlyLimit is 3)',
      headSha: null,
    });
    expect(limited.pushes).toEqual([]);
    expect(forge.created).toEqual([]);

    expect(await publishFile(publishInput(forge, { hourlyPrs: { count: 0, max: 0 } }))).toMatchObject({ action: 'pr_opened' });
    const update = publishInput(forge, { hourlyPrs: { count: 3, max: 3 }, remoteBranchSha: REMOTE, prs: [forgePr({ body: botBody(OTHER_PATCH) })] });
    expect(await publishFile(update)).toMatchObject({ action: 'pr_updated' });
  });
});
