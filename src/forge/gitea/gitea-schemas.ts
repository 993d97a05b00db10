import { z } from 'zod';

/**
 * Gitea's answers (swagger at `/api/v1/swagger`, Gitea 1.21+), reduced to the fields we
 * read. Everything else Gitea sends is ignored.
 */

export const GiteaLabel = z.object({
  id: z.number().int(),
  name: z.string(),
});
export type GiteaLabel = z.infer<typeof GiteaLabel>;

/** `PRBranchInfo`: `label` is the bare branch name; `ref` turns into `refs/pull/N/head` once the branch is deleted. */
export const GiteaBranchInfo = z.object({
  label: z.string().optional(),
  ref: z.string(),
  sha: z.string().nullish(),
  /** -1 when the head repository (a deleted fork) is gone. */
  repo_id: z.number().int(),
});
export type GiteaBranchInfo = z.infer<typeof GiteaBranchInfo>;

export const GiteaPull = z.object({
  number: z.number().int().positive(),
  html_url: z.string(),
  state: z.enum(['open', 'closed']),
  merged: z.boolean(),
  title: z.string(),
  body: z
    .string()
    .nullish()
    .transform((body) => body ?? ''),
  labels: z
    .array(GiteaLabel)
    .nullish()
    .transform((labels) => labels ?? []),
  head: GiteaBranchInfo,
  base: GiteaBranchInfo,
  created_at: z.string().nullish(),
  // Read by the stats only.
  closed_at: z.string().nullish(),
  merged_at: z.string().nullish(),
});
export type GiteaPull = z.infer<typeof GiteaPull>;

export const GiteaRepo = z.object({ default_branch: z.string() });
export type GiteaRepo = z.infer<typeof GiteaRepo>;

export const GiteaComment = z.object({
  id: z.number().int(),
  html_url: z.string(),
});
export type GiteaComment = z.infer<typeof GiteaComment>;

/** `RepoCollaboratorPermission.permission`: Gitea's access modes as strings. */
export const GiteaPermission = z.object({
  permission: z.enum(['owner', 'admin', 'write', 'read', 'none']),
});
export type GiteaPermission = z.infer<typeof GiteaPermission>;

/** `Issue`: the dashboard reads these. `pull_request` is set when the issue is a PR. */
export const GiteaIssue = z.object({
  number: z.number().int().positive(),
  html_url: z.string(),
  state: z.enum(['open', 'closed']),
  body: z
    .string()
    .nullish()
    .transform((body) => body ?? ''),
  pull_request: z.object({}).passthrough().nullish(),
});
export type GiteaIssue = z.infer<typeof GiteaIssue>;
