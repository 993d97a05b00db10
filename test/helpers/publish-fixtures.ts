import type { Forge, ForgePr, NewPr, PrUpdate } from '../../src/forge/types.js';
import type { PublishInput } from '../../src/pipeline/publish-file.js';
import { labelsFor } from '../../src/report/pr-labels.js';
import { renderPrMeta } from '../../src/report/pr-meta.js';

export const BRANCH = 'scrum-apply/src/format.rs';
export const BASE_SHA = 'a'.repeat(40);
export const PATCH = 'b'.repeat(64);
export const OTHER_PATCH = 'c'.repeat(64);
export const COMMIT = 'd'.repeat(40);
export const REMOTE = 'e'.repeat(40);

export const LABELS = labelsFor({
  action: 'committed',
  tier: 'auto',
  confidenceAvg: 95,
  reviewerModel: 'kimi-k2:1t',
  patchModel: 'qwen3-coder:480b',
  applied: 2,
  rejected: 0,
  green: true,
});

/** A PR body as the bot wrote it for `patch` on `base`. */
/** The input fingerprint the fixtures' PRs were built from. */
export const INPUT = 'f'.repeat(64);

export function botBody(patch = PATCH, base = BASE_SHA): string {
  return `Body for ${patch.slice(0, 4)}\n\n${renderPrMeta({ v: 1, file: 'src/format.rs', base, patch, run: 'run-1', input: INPUT })}\n`;
}

export interface PushRecord {
  branch: string;
  commitSha: string;
  expectedRemoteSha: string | null;
}

/** publishFile's input with recorders for pushes and the branch-author check. */
export function publishInput(forge: Forge, overrides: Partial<PublishInput> = {}): PublishInput & { pushes: PushRecord[]; authorChecks: string[] } {
  const pushes: PushRecord[] = [];
  const authorChecks: string[] = [];
  return {
    forge,
    push: async (branch, commitSha, expectedRemoteSha) => {
      pushes.push({ branch, commitSha, expectedRemoteSha });
    },
    isBotOnlyBranch: async (sha) => {
      authorChecks.push(sha);
      return true;
    },
    remoteBranchSha: null,
    prs: [],
    openPrs: { count: 0, max: 10 },
    branch: BRANCH,
    baseBranch: 'main',
    baseSha: BASE_SHA,
    commitSha: COMMIT,
    patchHash: PATCH,
    inputFingerprint: INPUT,
    title: 'scrum-apply: 2 mechanical fixes in src/format.rs',
    body: botBody(),
    labels: LABELS,
    draft: false,
    force: false,
    labelsEnabled: true,
    ...overrides,
    pushes,
    authorChecks,
  };
}

export function forgePr(overrides: Partial<ForgePr> = {}): ForgePr {
  return {
    number: 7,
    url: 'https://forge.test/acme/widgets/pull/7',
    state: 'open',
    merged: false,
    headBranch: BRANCH,
    baseBranch: 'main',
    title: 'old title',
    body: botBody(),
    labels: [],
    ...overrides,
  };
}

/** A forge that records what it is asked to do. */
export function fakeForge(): Forge & { created: NewPr[]; updated: Array<{ pr: ForgePr; update: PrUpdate }>; closed: Array<{ pr: ForgePr; comment: string }> } {
  const created: NewPr[] = [];
  const updated: Array<{ pr: ForgePr; update: PrUpdate }> = [];
  const closed: Array<{ pr: ForgePr; comment: string }> = [];
  return {
    kind: 'github',
    maxBodyLength: 60_000,
    created,
    updated,
    closed,
    listBotPrs: async () => [],
    ensureLabels: async () => {},
    async createPr(pr) {
      created.push(pr);
      return forgePr({ number: 40 + created.length, headBranch: pr.head, title: pr.title, body: pr.body, labels: pr.labels.map((l) => l.name) });
    },
    async closePr(pr, comment) {
      closed.push({ pr, comment });
    },
    async updatePr(pr, update) {
      updated.push({ pr, update });
      return { ...pr, title: update.title, body: update.body, labels: update.labels.map((l) => l.name) };
    },
  };
}
