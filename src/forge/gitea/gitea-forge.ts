import type { Logger } from '../../log/logger.js';
import { mergeLabels } from '../../report/pr-labels.js';
import type { Redactor } from '../../log/redact.js';
import {
  ForgeError,
  type ChatForge,
  type CreatedPr,
  type DashboardForge,
  type DashboardIssue,
  type Forge,
  type ForgePr,
  type HistoryForge,
  type LabelSpec,
  type NewPr,
  type Permission,
  type PrHistory,
  type PrUpdate,
} from '../types.js';
import {
  addCommentReaction,
  closePull,
  createIssue,
  createIssueComment,
  createLabel,
  createPull,
  editIssueBody,
  editPull,
  getCollaboratorPermission,
  getPullByBaseHead,
  getRepo,
  listLabelledIssues,
  listLabels,
  listPulls,
  type RepoRef,
} from './gitea-api.js';
import { createGiteaClient, type FetchLike } from './gitea-client.js';
import { createGiteaLabelIds } from './gitea-label-ids.js';
import type { GiteaIssue, GiteaPull } from './gitea-schemas.js';
import { giteaTitle, updatedTitle } from './gitea-title.js';
import { headBranchOf, isSameRepoPull, toForgePr, toPrHistory } from './to-forge-pr.js';

/**
 * Gitea stores a PR body as LONGTEXT and its API sets no length limit. We keep the product's
 * 60,000-character budget (GitHub's 65,536 with room to spare) so a body built for one forge
 * fits the other, and pages and webhook payloads stay a sane size.
 */
export const GITEA_MAX_BODY_LENGTH = 60_000;

export interface GiteaForgeOptions {
  /** The server's base URL (no `/api/v1`), e.g. `https://gitea.example.com`. */
  url: string;
  token: string;
  owner: string;
  repo: string;
  fetch?: FetchLike;
  logger: Logger;
  redact: Redactor;
  timeoutMs?: number;
}

/** A person's label is on the PR already, so its id is known and this colour never used. */
const PASS_THROUGH_COLOR = 'ededed';

const PERMISSIONS = {
  owner: 'admin',
  admin: 'admin',
  write: 'write',
  read: 'read',
  none: 'none',
} as const satisfies Record<string, Permission>;

export function createGiteaForge(options: GiteaForgeOptions): Forge & ChatForge & HistoryForge & DashboardForge {
  const client = createGiteaClient(options);
  const ref: RepoRef = { owner: options.owner, repo: options.repo };
  const logger = options.logger.child({ forge: 'gitea', repo: `${ref.owner}/${ref.repo}` });
  const labelIds = createGiteaLabelIds({
    listLabels: () => listLabels(client, ref),
    createLabel: async (spec: LabelSpec) => {
      const label = await createLabel(client, ref, {
        name: spec.name,
        color: `#${spec.color}`,
        description: spec.description ?? '',
      });
      logger.info({ label: spec.name }, 'created label');
      return label;
    },
  });

  function convert(pull: GiteaPull): ForgePr {
    labelIds.remember(pull.labels);
    return toForgePr(pull);
  }

  async function listBotPulls(branchPrefix: string): Promise<GiteaPull[]> {
    const pulls = await listPulls(client, ref, 'all');
    return pulls.filter((pull) => isSameRepoPull(pull) && headBranchOf(pull).startsWith(branchPrefix));
  }

  async function listBotPrs(branchPrefix: string): Promise<ForgePr[]> {
    return (await listBotPulls(branchPrefix)).map(convert);
  }

  async function listPrHistory(branchPrefix: string): Promise<PrHistory[]> {
    return (await listBotPulls(branchPrefix)).map(toPrHistory);
  }

  async function ensureLabels(labels: LabelSpec[]): Promise<void> {
    await labelIds.idsFor(labels);
  }

  /** The open PR for this head and base: the direct route first, the listing when it is missing. */
  async function findOpenPr(base: string, head: string): Promise<ForgePr | null> {
    const matches = (pull: GiteaPull) =>
      pull.state === 'open' && isSameRepoPull(pull) && pull.base.ref === base && headBranchOf(pull) === head;
    const direct = await getPullByBaseHead(client, ref, base, head);
    if (direct && matches(direct)) return convert(direct);
    logger.debug({ base, head }, 'PR not found by base and head; searching the open PRs');
    const found = (await listPulls(client, ref, 'open')).find(matches);
    return found ? convert(found) : null;
  }

  async function updatePr(pr: ForgePr, update: PrUpdate): Promise<ForgePr> {
    const title = updatedTitle(pr.title, update.title);
    const wanted = [...new Set(update.labels.map((label) => label.name))].sort();
    const current = [...new Set(pr.labels)].sort();
    if (title === pr.title && update.body === pr.body && wanted.join('\n') === current.join('\n')) {
      return pr; // nothing to write
    }
    const labels = await labelIds.idsFor(update.labels);
    return convert(await editPull(client, ref, pr.number, { title, body: update.body, labels }));
  }

  async function createPr(pr: NewPr): Promise<CreatedPr> {
    const labels = await labelIds.idsFor(pr.labels);
    const title = giteaTitle(pr.title, pr.draft);
    try {
      return convert(await createPull(client, ref, { head: pr.head, base: pr.base, title, body: pr.body, labels }));
    } catch (error) {
      // 409: an open PR for this head and base already exists (a run that died after
      // creating it, or a listing that missed it). Bring that PR up to date instead.
      if (!(error instanceof ForgeError) || error.status !== 409) throw error;
      const existing = await findOpenPr(pr.base, pr.head);
      if (!existing) throw error;
      logger.info({ pr: existing.number, head: pr.head }, 'PR already exists; updating it');
      const updated = await updatePr(existing, { title: pr.title, body: pr.body, labels: labelsKeepingPeople(existing, pr.labels) });
      return { ...updated, existed: true };
    }
  }

  async function closePr(pr: ForgePr, comment: string): Promise<void> {
    await createIssueComment(client, ref, pr.number, comment);
    await closePull(client, ref, pr.number);
    logger.info({ pr: pr.number, branch: pr.headBranch }, 'closed pull request');
  }

  async function getPermission(username: string): Promise<Permission> {
    const permission = await getCollaboratorPermission(client, ref, username);
    return permission === null ? 'none' : PERMISSIONS[permission];
  }

  async function createComment(issueNumber: number, body: string): Promise<{ id: number; url: string }> {
    const comment = await createIssueComment(client, ref, issueNumber, body);
    return { id: comment.id, url: comment.html_url };
  }

  async function reactToComment(commentId: number, reaction: 'eyes'): Promise<void> {
    await addCommentReaction(client, ref, commentId, reaction);
  }

  async function defaultBranch(): Promise<string> {
    const { default_branch: branch } = await getRepo(client, ref);
    if (branch === '') {
      throw new ForgeError(`Gitea repository ${ref.owner}/${ref.repo} has no default branch (is it empty?)`, null);
    }
    return branch;
  }

  async function findDashboard(label: string, marker: string): Promise<DashboardIssue | null> {
    const ours = (await listLabelledIssues(client, ref, label)).filter((issue) => issue.pull_request == null && issue.body.includes(marker));
    const newest = ours.reduce<GiteaIssue | null>((best, issue) => (best === null || issue.number > best.number ? issue : best), null);
    return newest === null ? null : toDashboardIssue(newest);
  }

  async function createDashboard(title: string, body: string, label: LabelSpec): Promise<DashboardIssue> {
    const labels = await labelIds.idsFor([label]);
    return toDashboardIssue(await createIssue(client, ref, { title: giteaTitle(title, false), body, labels }));
  }

  async function editDashboard(number: number, body: string): Promise<void> {
    await editIssueBody(client, ref, number, body);
  }

  return {
    kind: 'gitea',
    maxBodyLength: GITEA_MAX_BODY_LENGTH,
    listBotPrs,
    listPrHistory,
    ensureLabels,
    createPr,
    updatePr,
    closePr,
    getPermission,
    createComment,
    reactToComment,
    defaultBranch,
    findDashboard,
    createDashboard,
    editDashboard,
  };
}

function toDashboardIssue(issue: GiteaIssue): DashboardIssue {
  return { number: issue.number, url: issue.html_url, state: issue.state, body: issue.body };
}

/**
 * The labels for an existing PR that a new one was meant to replace: a PATCH replaces the
 * whole set, so the labels a person added stay; with no bot labels wanted, nothing changes.
 */
function labelsKeepingPeople(existing: ForgePr, wanted: LabelSpec[]): LabelSpec[] {
  if (wanted.length === 0) return existing.labels.map((name) => ({ name, color: PASS_THROUGH_COLOR }));
  const byName = new Map(wanted.map((label) => [label.name.toLowerCase(), label]));
  return mergeLabels(existing.labels, wanted).map((name) => byName.get(name.toLowerCase()) ?? { name, color: PASS_THROUGH_COLOR });
}
