import { z } from 'zod';
import type { GitHubRepo } from './github-api.js';

/**
 * The issue endpoints the dashboard uses. The issues API lists pull requests too (each with a
 * `pull_request` key); callers skip those.
 */

export const GitHubIssue = z.object({
  number: z.number().int().positive(),
  html_url: z.string(),
  state: z.enum(['open', 'closed']),
  body: z
    .string()
    .nullish()
    .transform((body) => body ?? ''),
  pull_request: z.unknown().optional(),
});
export type GitHubIssue = z.infer<typeof GitHubIssue>;

/** GET /repos/{owner}/{repo}/issues?labels=…&state=all — every page, newest first. */
export async function listLabelledIssues({ octokit, owner, repo }: GitHubRepo, label: string): Promise<GitHubIssue[]> {
  const issues: unknown[] = await octokit.paginate('GET /repos/{owner}/{repo}/issues', {
    owner,
    repo,
    labels: label,
    state: 'all',
    per_page: 100,
  });
  return z.array(GitHubIssue).parse(issues);
}

/** POST /repos/{owner}/{repo}/issues */
export async function createIssue(
  { octokit, owner, repo }: GitHubRepo,
  issue: { title: string; body: string; labels: string[] },
): Promise<GitHubIssue> {
  const response = await octokit.request('POST /repos/{owner}/{repo}/issues', { owner, repo, ...issue });
  return GitHubIssue.parse(response.data);
}

/** PATCH /repos/{owner}/{repo}/issues/{issue_number} with the body only. */
export async function editIssueBody({ octokit, owner, repo }: GitHubRepo, issueNumber: number, body: string): Promise<void> {
  await octokit.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', { owner, repo, issue_number: issueNumber, body });
}
