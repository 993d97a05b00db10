import { z } from 'zod';
import type { GitHubOctokit } from './create-github-octokit.js';
import { GitHubPull, GitHubLabel } from './to-forge-pr.js';

/**
 * One thin typed function per GitHub REST endpoint the bot uses. Each returns only the fields
 * we read, validated; errors propagate as Octokit's RequestError (the forge converts them).
 */

export interface GitHubRepo {
  octokit: GitHubOctokit;
  owner: string;
  repo: string;
}

const GitHubComment = z.object({ id: z.number().int(), html_url: z.string() });
const GitHubPermission = z.object({ permission: z.string(), role_name: z.string().optional() });
const GitHubRepository = z.object({ default_branch: z.string().min(1) });

export type GitHubComment = z.infer<typeof GitHubComment>;
export type GitHubPermission = z.infer<typeof GitHubPermission>;

/** GET /repos/{owner}/{repo}/pulls?state=all — every page. */
export async function listPulls({ octokit, owner, repo }: GitHubRepo): Promise<GitHubPull[]> {
  const pulls: unknown[] = await octokit.paginate('GET /repos/{owner}/{repo}/pulls', {
    owner,
    repo,
    state: 'all',
    per_page: 100,
  });
  return z.array(GitHubPull).parse(pulls);
}

/** POST /repos/{owner}/{repo}/pulls */
export async function createPull(
  { octokit, owner, repo }: GitHubRepo,
  pull: { title: string; head: string; base: string; body: string; draft: boolean },
): Promise<GitHubPull> {
  const response = await octokit.request('POST /repos/{owner}/{repo}/pulls', { owner, repo, ...pull });
  return GitHubPull.parse(response.data);
}

/** PATCH /repos/{owner}/{repo}/pulls/{pull_number} */
export async function updatePull(
  { octokit, owner, repo }: GitHubRepo,
  pullNumber: number,
  update: { title: string; body: string },
): Promise<GitHubPull> {
  const response = await octokit.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', {
    owner,
    repo,
    pull_number: pullNumber,
    ...update,
  });
  return GitHubPull.parse(response.data);
}

/** PATCH /repos/{owner}/{repo}/pulls/{pull_number} with `state: closed` */
export async function closePull({ octokit, owner, repo }: GitHubRepo, pullNumber: number): Promise<GitHubPull> {
  const response = await octokit.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', { owner, repo, pull_number: pullNumber, state: 'closed' });
  return GitHubPull.parse(response.data);
}

/** POST /repos/{owner}/{repo}/issues/{issue_number}/labels — returns the issue's labels after. */
export async function addIssueLabels({ octokit, owner, repo }: GitHubRepo, issueNumber: number, labels: string[]): Promise<GitHubLabel[]> {
  const response = await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', {
    owner,
    repo,
    issue_number: issueNumber,
    labels,
  });
  return z.array(GitHubLabel).parse(response.data);
}

/** PUT /repos/{owner}/{repo}/issues/{issue_number}/labels — replaces the issue's labels. */
export async function setIssueLabels({ octokit, owner, repo }: GitHubRepo, issueNumber: number, labels: string[]): Promise<GitHubLabel[]> {
  const response = await octokit.request('PUT /repos/{owner}/{repo}/issues/{issue_number}/labels', {
    owner,
    repo,
    issue_number: issueNumber,
    labels,
  });
  return z.array(GitHubLabel).parse(response.data);
}

/** GET /repos/{owner}/{repo}/labels — every page. */
export async function listRepoLabels({ octokit, owner, repo }: GitHubRepo): Promise<GitHubLabel[]> {
  const labels: unknown[] = await octokit.paginate('GET /repos/{owner}/{repo}/labels', { owner, repo, per_page: 100 });
  return z.array(GitHubLabel).parse(labels);
}

/** POST /repos/{owner}/{repo}/labels */
export async function createRepoLabel(
  { octokit, owner, repo }: GitHubRepo,
  label: { name: string; color: string; description?: string },
): Promise<void> {
  await octokit.request('POST /repos/{owner}/{repo}/labels', { owner, repo, ...label });
}

/** GET /repos/{owner}/{repo}/collaborators/{username}/permission */
export async function getCollaboratorPermission({ octokit, owner, repo }: GitHubRepo, username: string): Promise<GitHubPermission> {
  const response = await octokit.request('GET /repos/{owner}/{repo}/collaborators/{username}/permission', {
    owner,
    repo,
    username,
  });
  return GitHubPermission.parse(response.data);
}

/** POST /repos/{owner}/{repo}/issues/{issue_number}/comments */
export async function createIssueComment({ octokit, owner, repo }: GitHubRepo, issueNumber: number, body: string): Promise<GitHubComment> {
  const response = await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    owner,
    repo,
    issue_number: issueNumber,
    body,
  });
  return GitHubComment.parse(response.data);
}

/** POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions */
export async function createCommentReaction({ octokit, owner, repo }: GitHubRepo, commentId: number, content: 'eyes'): Promise<void> {
  await octokit.request('POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', {
    owner,
    repo,
    comment_id: commentId,
    content,
  });
}

/** GET /repos/{owner}/{repo} */
export async function getRepository({ octokit, owner, repo }: GitHubRepo): Promise<{ defaultBranch: string }> {
  const response = await octokit.request('GET /repos/{owner}/{repo}', { owner, repo });
  return { defaultBranch: GitHubRepository.parse(response.data).default_branch };
}

/** DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels — PUT needs at least one label. */
export async function removeAllIssueLabels({ octokit, owner, repo }: GitHubRepo, issueNumber: number): Promise<void> {
  await octokit.request('DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels', { owner, repo, issue_number: issueNumber });
}
