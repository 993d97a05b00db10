import { z } from 'zod';
import type { ForgePr, PrHistory } from '../types.js';

/** A label as GitHub returns it; only the field we read. */
export const GitHubLabel = z.object({ name: z.string() });
export type GitHubLabel = z.infer<typeof GitHubLabel>;

/** A pull request as GitHub returns it (list, create, update); only the fields we read. */
export const GitHubPull = z.object({
  number: z.number().int().positive(),
  html_url: z.string(),
  state: z.enum(['open', 'closed']),
  merged_at: z.string().nullable().optional(),
  // Read by the stats only; optional so a payload without it still serves publishing.
  closed_at: z.string().nullable().optional(),
  title: z.string(),
  body: z.string().nullable().optional(),
  head: z.object({
    ref: z.string(),
    sha: z.string().optional(),
    // null when the head repository (a fork) was deleted
    repo: z.object({ full_name: z.string() }).nullable(),
  }),
  base: z.object({ ref: z.string() }),
  labels: z.array(GitHubLabel).default([]),
  created_at: z.string().optional(),
});
export type GitHubPull = z.infer<typeof GitHubPull>;

export function toForgePr(pull: GitHubPull): ForgePr {
  return {
    number: pull.number,
    url: pull.html_url,
    state: pull.state,
    merged: typeof pull.merged_at === 'string',
    headBranch: pull.head.ref,
    baseBranch: pull.base.ref,
    title: pull.title,
    body: pull.body ?? '',
    labels: pull.labels.map((label) => label.name),
    ...(pull.created_at === undefined ? {} : { createdAt: pull.created_at }),
  };
}

export function toPrHistory(pull: GitHubPull): PrHistory {
  return {
    number: pull.number,
    url: pull.html_url,
    headBranch: pull.head.ref,
    state: pull.state,
    merged: typeof pull.merged_at === 'string',
    headSha: pull.head.sha ?? null,
    createdAt: pull.created_at ?? null,
    closedAt: pull.closed_at ?? null,
    mergedAt: pull.merged_at ?? null,
  };
}

/** True when the PR's head branch lives in `owner/repo` itself (not a fork). */
export function isSameRepoHead(pull: GitHubPull, owner: string, repo: string): boolean {
  return pull.head.repo?.full_name.toLowerCase() === `${owner}/${repo}`.toLowerCase();
}
