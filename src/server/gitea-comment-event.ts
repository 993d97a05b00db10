import { z } from 'zod';
import { formatZodIssues } from '../config/format-zod-issues.js';
import type { ParsedEvent } from './github-comment-event.js';
import { isValidRepoName } from '../jobs/repo-ref.js';

const GiteaUser = z.object({ login: z.string().min(1) });

/** The fields of Gitea's `issue_comment` payload (issue and PR comments alike) we read. */
export const GiteaCommentPayload = z.object({
  action: z.string(),
  issue: z.object({ number: z.number().int().positive() }),
  comment: z.object({ id: z.number().int().positive(), body: z.string(), user: GiteaUser }),
  repository: z.object({ name: z.string().refine(isValidRepoName), owner: z.object({ login: z.string().refine(isValidRepoName) }) }),
  sender: GiteaUser,
});
export type GiteaCommentPayload = z.infer<typeof GiteaCommentPayload>;

/** A Gitea `issue_comment` delivery as the forge-neutral CommentEvent. Gitea marks no user as a bot. */
export function giteaCommentEvent(deliveryId: string, payload: unknown): ParsedEvent {
  const parsed = GiteaCommentPayload.safeParse(payload);
  if (!parsed.success) return { ok: false, reason: `unexpected issue_comment payload: ${formatZodIssues(parsed.error.issues)}` };
  const { action, issue, comment, repository } = parsed.data;
  return {
    ok: true,
    action,
    event: {
      ref: { forge: 'gitea', owner: repository.owner.login, repo: repository.name },
      issueNumber: issue.number,
      commentId: comment.id,
      body: comment.body,
      author: comment.user.login,
      authorIsBot: false,
      deliveryId,
      installationId: null,
      // The receiver knows which server it listens for; it fills this in.
      serverUrl: null,
    },
  };
}
