import { z } from 'zod';
import { formatZodIssues } from '../config/format-zod-issues.js';
import { isValidRepoName } from '../jobs/repo-ref.js';

/** An edited issue, from either forge's `issues` webhook: perhaps a person ticking dashboard boxes. */
export interface IssueEditEvent {
  ref: { forge: 'github' | 'gitea'; owner: string; repo: string };
  issueNumber: number;
  body: string;
  /** The body before this edit; null when the forge did not say (then every ticked box counts as new). */
  previousBody: string | null;
  /** Who edited. */
  sender: string;
  senderIsBot: boolean;
  deliveryId: string;
  installationId: number | null;
  serverUrl: string | null;
}

export type ParsedIssueEdit = { ok: true; action: string; event: IssueEditEvent } | { ok: false; reason: string };

const Account = z.object({ login: z.string().min(1), type: z.string().optional() });
const Repository = z.object({ name: z.string().refine(isValidRepoName), owner: z.object({ login: z.string().refine(isValidRepoName) }) });
const Changes = z.object({ body: z.object({ from: z.string().nullable() }).optional() }).nullable().optional();

/** The fields of an `issues` delivery we read (GitHub's and Gitea's agree on these). */
const IssuesPayload = z.object({
  action: z.string(),
  issue: z.object({ number: z.number().int().positive(), body: z.string().nullable(), pull_request: z.unknown().optional() }),
  changes: Changes,
  repository: Repository,
  sender: Account,
  /** GitHub: present on every delivery to a GitHub App. */
  installation: z.object({ id: z.number().int().positive() }).optional(),
});

/** An `issues` delivery from `forge` as an IssueEditEvent (any action: the caller keeps `edited`). */
export function issueEditEvent(forge: 'github' | 'gitea', deliveryId: string, payload: unknown): ParsedIssueEdit {
  const parsed = IssuesPayload.safeParse(payload);
  if (!parsed.success) return { ok: false, reason: `unexpected issues payload: ${formatZodIssues(parsed.error.issues)}` };
  const { action, issue, changes, repository, sender, installation } = parsed.data;
  const body = issue.body ?? '';
  // Without `changes.body` the forge did not say what the body was: every ticked box counts as
  // new (boxes the bot already marked queued never do).
  const previousBody = changes?.body === undefined ? null : (changes.body.from ?? '');
  return {
    ok: true,
    action,
    event: {
      ref: { forge, owner: repository.owner.login, repo: repository.name },
      issueNumber: issue.number,
      body,
      previousBody,
      sender: sender.login,
      senderIsBot: sender.type === 'Bot',
      deliveryId,
      installationId: forge === 'github' ? (installation?.id ?? null) : null,
      serverUrl: null,
    },
  };
}
