import { z } from 'zod';
import { formatZodIssues } from '../config/format-zod-issues.js';
import type { CommentEvent } from './handle-command.js';
import { isValidRepoName } from '../jobs/repo-ref.js';

const Account = z.object({ login: z.string().min(1), type: z.string().optional() });

/** The fields of GitHub's `issue_comment` payload we read. */
export const GitHubCommentPayload = z.object({
  action: z.string(),
  issue: z.object({ number: z.number().int().positive() }),
  comment: z.object({ id: z.number().int().positive(), body: z.string().nullable(), user: Account }),
  repository: z.object({ name: z.string().refine(isValidRepoName), owner: z.object({ login: z.string().refine(isValidRepoName) }) }),
  sender: Account,
  /** Present on every delivery to a GitHub App. */
  installation: z.object({ id: z.number().int().positive() }).optional(),
});
export type GitHubCommentPayload = z.infer<typeof GitHubCommentPayload>;

export type ParsedEvent = { ok: true; action: string; event: CommentEvent } | { ok: false; reason: string };

/** A GitHub `issue_comment` delivery as the forge-neutral CommentEvent. */
export function githubCommentEvent(deliveryId: string, payload: unknown): ParsedEvent {
  const parsed = GitHubCommentPayload.safeParse(payload);
  if (!parsed.success) return { ok: false, reason: `unexpected issue_comment payload: ${formatZodIssues(parsed.error.issues)}` };
  const { action, issue, comment, repository, sender, installation } = parsed.data;
  return {
    ok: true,
    action,
    event: {
      ref: { forge: 'github', owner: repository.owner.login, repo: repository.name },
      issueNumber: issue.number,
      commentId: comment.id,
      body: comment.body ?? '',
      author: comment.user.login,
      authorIsBot: comment.user.type === 'Bot' || sender.type === 'Bot',
      deliveryId,
      installationId: installation?.id ?? null,
      serverUrl: null,
    },
  };
}
