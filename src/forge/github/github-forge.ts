import type { Logger } from '../../log/logger.js';
import { describeError, type Redactor } from '../../log/redact.js';
import type { ChatForge, DashboardForge, Forge, ForgePr, HistoryForge, LabelSpec, NewPr, Permission, PrUpdate } from '../types.js';
import type { GitHubOctokit } from './create-github-octokit.js';
import { createLabelEnsurer } from './create-label-ensurer.js';
import { createGitHubDashboard } from './github-dashboard.js';
import {
  addIssueLabels,
  createCommentReaction,
  createIssueComment,
  createPull,
  getCollaboratorPermission,
  getRepository,
  listPulls,
  removeAllIssueLabels,
  setIssueLabels,
  updatePull,
  type GitHubPermission,
  type GitHubRepo,
  closePull,
} from './github-api.js';
import { statusOf, toForgeError } from './to-forge-error.js';
import { isSameRepoHead, toForgePr, toPrHistory } from './to-forge-pr.js';

export interface GitHubForgeOptions {
  octokit: GitHubOctokit;
  owner: string;
  repo: string;
  logger: Logger;
  redact: Redactor;
}

/** GitHub allows 65,536 characters in a PR body; we stay well below. */
const MAX_BODY_LENGTH = 60_000;

/**
 * The GitHub forge. A new PR costs two writes (create, add labels) plus label creation, which
 * is amortised over the forge's lifetime; an update writes only what differs.
 */
export function createGitHubForge(options: GitHubForgeOptions): Forge & ChatForge & HistoryForge & DashboardForge {
  const { owner, repo, redact } = options;
  const api: GitHubRepo = { octokit: options.octokit, owner, repo };
  const log = options.logger.child({ forge: 'github', repository: `${owner}/${repo}` });
  const ensureLabelsOnce = createLabelEnsurer(api);

  async function guard<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toForgeError(error, what, redact);
    }
  }

  async function ensureLabels(labels: LabelSpec[]): Promise<void> {
    await guard('label creation', () => ensureLabelsOnce(labels));
  }

  /** This repository's PRs whose head branch starts with `branchPrefix` (a fork's never are the bot's). */
  async function listBotPulls(branchPrefix: string) {
    return (await listPulls(api)).filter((pull) => pull.head.ref.startsWith(branchPrefix) && isSameRepoHead(pull, owner, repo));
  }

  /** The PR exists now: a labelling failure must not turn it into a failed item. */
  async function labelNewPr(created: ForgePr, wanted: LabelSpec[]): Promise<ForgePr> {
    try {
      await ensureLabels(wanted);
      const labels = await guard(`labelling pull request #${created.number}`, () =>
        addIssueLabels(api, created.number, wanted.map((l) => l.name)),
      );
      return { ...created, labels: labels.map((l) => l.name) };
    } catch (error) {
      log.warn({ pr: created.number, err: describeError(error, redact) }, 'could not label pull request');
      return created;
    }
  }

  /** Replaces the PR's label set (creating the labels it lacks); the names it carries after. */
  async function setLabels(pr: ForgePr, wanted: LabelSpec[]): Promise<string[]> {
    const current = new Set(pr.labels.map((name) => name.toLowerCase()));
    await ensureLabels(wanted.filter((l) => !current.has(l.name.toLowerCase())));
    const names = wanted.map((l) => l.name);
    const labels = await guard(`labelling pull request #${pr.number}`, async () => {
      if (names.length > 0) return setIssueLabels(api, pr.number, names);
      await removeAllIssueLabels(api, pr.number);
      return [];
    });
    return labels.map((l) => l.name);
  }

  return {
    kind: 'github',
    maxBodyLength: MAX_BODY_LENGTH,

    listBotPrs: (branchPrefix) => guard('listing pull requests', async () => (await listBotPulls(branchPrefix)).map(toForgePr)),

    listPrHistory: (branchPrefix) => guard('listing pull requests', async () => (await listBotPulls(branchPrefix)).map(toPrHistory)),

    ensureLabels,

    async createPr(pr: NewPr): Promise<ForgePr> {
      const created = toForgePr(
        await guard(`creating a pull request for ${pr.head}`, () =>
          createPull(api, { title: pr.title, head: pr.head, base: pr.base, body: pr.body, draft: pr.draft }),
        ),
      );
      log.info({ pr: created.number, branch: pr.head }, 'opened pull request');
      return pr.labels.length === 0 ? created : labelNewPr(created, pr.labels);
    },

    async updatePr(pr: ForgePr, update: PrUpdate): Promise<ForgePr> {
      let result = pr;
      if (update.title !== pr.title || update.body !== pr.body) {
        result = toForgePr(
          await guard(`updating pull request #${pr.number}`, () =>
            updatePull(api, pr.number, { title: update.title, body: update.body }),
          ),
        );
      }
      if (!sameLabelNames(pr.labels, update.labels.map((l) => l.name))) {
        result = { ...result, labels: await setLabels(pr, update.labels) };
      }
      return result;
    },

    async closePr(pr: ForgePr, comment: string): Promise<void> {
      await guard(`commenting on #${pr.number}`, () => createIssueComment(api, pr.number, comment));
      await guard(`closing pull request #${pr.number}`, () => closePull(api, pr.number));
      log.info({ pr: pr.number, branch: pr.headBranch }, 'closed pull request');
    },

    async getPermission(username: string): Promise<Permission> {
      try {
        return toPermission(await getCollaboratorPermission(api, username));
      } catch (error) {
        // Not a collaborator (or no such user): no permission, not a failure.
        if (statusOf(error) === 404) return 'none';
        throw toForgeError(error, `reading the permission of ${username}`, redact);
      }
    },

    async createComment(issueNumber: number, body: string) {
      const comment = await guard(`commenting on #${issueNumber}`, () => createIssueComment(api, issueNumber, body));
      return { id: comment.id, url: comment.html_url };
    },

    reactToComment: (commentId, reaction) =>
      guard(`reacting to comment ${commentId}`, () => createCommentReaction(api, commentId, reaction)),

    defaultBranch: () => guard('reading the repository', async () => (await getRepository(api)).defaultBranch),

    ...createGitHubDashboard(api, { guard, ensureLabels }),
  };
}

function sameLabelNames(a: string[], b: string[]): boolean {
  const norm = (names: string[]) => [...new Set(names.map((n) => n.toLowerCase()))].sort().join('\n');
  return norm(a) === norm(b);
}

/**
 * `permission` is the legacy base level (admin|write|read|none); `role_name` tells maintain
 * from write and triage from read. Custom roles keep their base level.
 */
function toPermission({ permission, role_name: role }: GitHubPermission): Permission {
  if (permission === 'admin') return 'admin';
  if (permission === 'write') return role === 'maintain' ? 'maintain' : 'write';
  if (permission === 'read') return role === 'triage' ? 'triage' : 'read';
  return 'none';
}
