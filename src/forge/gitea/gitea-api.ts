import { z } from 'zod';
import { ForgeError } from '../types.js';
import type { GiteaClient } from './gitea-client.js';
import {
  GiteaComment,
  GiteaIssue,
  GiteaLabel,
  GiteaPermission,
  GiteaPull,
  GiteaRepo,
  type GiteaPermission as GiteaPermissionType,
} from './gitea-schemas.js';

/** One thin, typed function per Gitea endpoint the bot uses. No decisions here. */

export interface RepoRef {
  owner: string;
  repo: string;
}

/** Gitea's default `MAX_RESPONSE_ITEMS`; a larger `limit` is silently cut to it. */
export const GITEA_PAGE_LIMIT = 50;
/** 50,000 items: far beyond any repository we expect; a loop that long is a bug or a hostile server. */
const MAX_PAGES = 1000;

function repoPath({ owner, repo }: RepoRef): string {
  return `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
}

/** A branch name in a path: each segment encoded, the slashes kept (Gitea's route takes the rest of the path). */
function branchPath(branch: string): string {
  return branch.split('/').map(encodeURIComponent).join('/');
}

/**
 * Every page of a list endpoint. Stops at an empty page, at `X-Total-Count` when Gitea sends
 * it, else at a short page (an admin may have set `MAX_RESPONSE_ITEMS` below our limit, so a
 * short page alone is not trusted while a total is known).
 */
async function listAll<T>(client: GiteaClient, path: string, query: Record<string, string>, item: z.ZodType<T>): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; page <= MAX_PAGES; page += 1) {
    const { data, headers } = await client.request({
      method: 'GET',
      path,
      query: { ...query, limit: GITEA_PAGE_LIMIT, page },
      schema: z.array(item),
    });
    items.push(...data);
    const total = Number.parseInt(headers.get('x-total-count') ?? '', 10);
    if (data.length === 0) return items;
    if (Number.isFinite(total) ? items.length >= total : data.length < GITEA_PAGE_LIMIT) return items;
  }
  throw new ForgeError(`Gitea API GET ${path} failed: more than ${MAX_PAGES} pages`, null);
}

export async function getRepo(client: GiteaClient, ref: RepoRef): Promise<GiteaRepo> {
  return (await client.request({ method: 'GET', path: repoPath(ref), schema: GiteaRepo })).data;
}

export async function listPulls(client: GiteaClient, ref: RepoRef, state: 'open' | 'closed' | 'all'): Promise<GiteaPull[]> {
  return listAll(client, `${repoPath(ref)}/pulls`, { state }, GiteaPull);
}

/**
 * `GET /repos/{o}/{r}/pulls/{base}/{head}` (Gitea 1.22+). null when Gitea answers 404: no
 * such PR, or a Gitea without this route; callers fall back to the listing either way.
 * A base with a slash cannot be expressed in this route, so it is not tried.
 */
export async function getPullByBaseHead(client: GiteaClient, ref: RepoRef, base: string, head: string): Promise<GiteaPull | null> {
  if (base.includes('/')) return null;
  try {
    const path = `${repoPath(ref)}/pulls/${encodeURIComponent(base)}/${branchPath(head)}`;
    return (await client.request({ method: 'GET', path, schema: GiteaPull })).data;
  } catch (error) {
    if (error instanceof ForgeError && error.status === 404) return null;
    throw error;
  }
}

export interface CreatePullBody {
  head: string;
  base: string;
  title: string;
  body: string;
  /** Label ids: Gitea's create accepts them, so a new PR is one write. */
  labels: number[];
}

/** 201 on success; 409 when an open PR for the same head and base exists. */
export async function createPull(client: GiteaClient, ref: RepoRef, body: CreatePullBody): Promise<GiteaPull> {
  return (await client.request({ method: 'POST', path: `${repoPath(ref)}/pulls`, body, schema: GiteaPull })).data;
}

export interface EditPullBody {
  title: string;
  body: string;
  /** Replaces the PR's whole label set. */
  labels: number[];
}

/** Gitea answers 201 here, not 200. */
export async function editPull(client: GiteaClient, ref: RepoRef, index: number, body: EditPullBody): Promise<GiteaPull> {
  return (await client.request({ method: 'PATCH', path: `${repoPath(ref)}/pulls/${index}`, body, schema: GiteaPull })).data;
}

/** PATCH /repos/{owner}/{repo}/pulls/{index} with `state: closed` (201, as every edit). */
export async function closePull(client: GiteaClient, ref: RepoRef, index: number): Promise<GiteaPull> {
  return (await client.request({ method: 'PATCH', path: `${repoPath(ref)}/pulls/${index}`, body: { state: 'closed' }, schema: GiteaPull })).data;
}

export async function listLabels(client: GiteaClient, ref: RepoRef): Promise<GiteaLabel[]> {
  return listAll(client, `${repoPath(ref)}/labels`, {}, GiteaLabel);
}

export interface CreateLabelBody {
  name: string;
  /** `#rrggbb`. */
  color: string;
  description: string;
}

export async function createLabel(client: GiteaClient, ref: RepoRef, body: CreateLabelBody): Promise<GiteaLabel> {
  return (await client.request({ method: 'POST', path: `${repoPath(ref)}/labels`, body, schema: GiteaLabel })).data;
}

export async function createIssueComment(client: GiteaClient, ref: RepoRef, index: number, body: string): Promise<GiteaComment> {
  const path = `${repoPath(ref)}/issues/${index}/comments`;
  return (await client.request({ method: 'POST', path, body: { body }, schema: GiteaComment })).data;
}

/** 201 when added, 200 when this user had already reacted so; we read nothing back. */
export async function addCommentReaction(client: GiteaClient, ref: RepoRef, commentId: number, content: 'eyes'): Promise<void> {
  const path = `${repoPath(ref)}/issues/comments/${commentId}/reactions`;
  await client.request({ method: 'POST', path, body: { content }, schema: z.unknown() });
}

/**
 * The user's access mode, or null when Gitea does not know the user (404). Reading another
 * user's permission needs a token with admin rights on the repository: a 403 says so.
 */
export async function getCollaboratorPermission(
  client: GiteaClient,
  ref: RepoRef,
  username: string,
): Promise<GiteaPermissionType['permission'] | null> {
  const path = `${repoPath(ref)}/collaborators/${encodeURIComponent(username)}/permission`;
  try {
    return (await client.request({ method: 'GET', path, schema: GiteaPermission })).data.permission;
  } catch (error) {
    if (!(error instanceof ForgeError)) throw error;
    if (error.status === 404) return null;
    if (error.status === 403) {
      throw new ForgeError(
        'GITEA_TOKEN cannot read collaborator permissions (403): the token needs repository admin rights',
        403,
        { cause: error },
      );
    }
    throw error;
  }
}

/** Issues only (never PRs) carrying `label`, open and closed: `GET /repos/{o}/{r}/issues?type=issues&labels=…&state=all`. */
export async function listLabelledIssues(client: GiteaClient, ref: RepoRef, label: string): Promise<GiteaIssue[]> {
  return listAll(client, `${repoPath(ref)}/issues`, { type: 'issues', labels: label, state: 'all' }, GiteaIssue);
}

export interface CreateIssueBody {
  title: string;
  body: string;
  /** Label ids. */
  labels: number[];
}

/** 201 with the issue. */
export async function createIssue(client: GiteaClient, ref: RepoRef, body: CreateIssueBody): Promise<GiteaIssue> {
  return (await client.request({ method: 'POST', path: `${repoPath(ref)}/issues`, body, schema: GiteaIssue })).data;
}

/** `PATCH /repos/{o}/{r}/issues/{index}` with the body only (201, as every edit). */
export async function editIssueBody(client: GiteaClient, ref: RepoRef, index: number, body: string): Promise<void> {
  await client.request({ method: 'PATCH', path: `${repoPath(ref)}/issues/${index}`, body: { body }, schema: z.unknown() });
}
