import type { ChatForge, Forge, Permission } from '../forge/types.js';
import type { Logger } from '../log/logger.js';
import { describeError, type Redactor } from '../log/redact.js';
import type { CommandJob } from '../jobs/command-job.js';
import type { CommandQueue } from '../jobs/command-queue.js';
import { normalizedArguments, parseCommand, type Command } from '../jobs/parse-command.js';
import { repoLabel, type RepoRef } from '../jobs/repo-ref.js';
import { duplicateReply, invalidCommandReply, refusalReply, shuttingDownReply } from '../jobs/reply-text.js';

/** A created issue or PR comment, from either forge's webhook. */
export interface CommentEvent {
  ref: RepoRef;
  issueNumber: number;
  commentId: number;
  body: string;
  author: string;
  /** The forge says the author is a bot (GitHub's `type: "Bot"`). */
  authorIsBot: boolean;
  deliveryId: string;
  /** GitHub: the App installation the delivery came through. */
  installationId: number | null;
  /** Gitea: the server that sent the delivery. */
  serverUrl: string | null;
}

export interface CommandHandlerDeps {
  queue: CommandQueue;
  logger: Logger;
  redact: Redactor;
}

export type CommandOutcome =
  | { type: 'ignored'; reason: 'bot' | 'not-a-command' | 'redelivery' }
  | { type: 'invalid' }
  | { type: 'refused'; permission: Permission | null }
  | { type: 'queued' }
  | { type: 'duplicate' }
  | { type: 'closed' };

/** Who may make the bot run: by command, or by ticking a box on the dashboard. */
export const ALLOWED: ReadonlySet<Permission> = new Set(['write', 'maintain', 'admin']);

/** GitHub Apps comment as `name[bot]`; Gitea Actions as `gitea-actions`. */
export function isBotAccount(login: string, flaggedBot: boolean): boolean {
  return flaggedBot || login.endsWith('[bot]') || login === 'gitea-actions';
}

/**
 * The comment trigger, the same for every forge: ignore bots and non-commands, explain a
 * malformed command, refuse anyone without write access (also when the forge cannot say:
 * fail closed), acknowledge with 👀 and queue the work. Returns once the job is queued — the
 * webhook is answered long before the run ends. `forge` is the receiving side's own client,
 * for the checks and the replies made here; the queued job carries none.
 */
export async function handleCommand(
  event: CommentEvent,
  forge: Forge & ChatForge,
  deps: CommandHandlerDeps,
): Promise<CommandOutcome> {
  const log = deps.logger.child({ repository: repoLabel(event.ref), delivery: event.deliveryId, issue: event.issueNumber });
  if (isBotAccount(event.author, event.authorIsBot)) return { type: 'ignored', reason: 'bot' };
  const parsed = parseCommand(event.body);
  if (parsed.type === 'none') return { type: 'ignored', reason: 'not-a-command' };
  if (await deps.queue.isRedelivery(event.deliveryId)) {
    log.info('redelivered webhook ignored');
    return { type: 'ignored', reason: 'redelivery' };
  }

  async function reply(body: string): Promise<void> {
    try {
      await forge.createComment(event.issueNumber, body);
    } catch (error) {
      log.error({ err: describeError(error, deps.redact) }, 'could not post a reply');
    }
  }

  if (parsed.type === 'invalid') {
    log.info({ author: event.author, problem: parsed.message }, 'invalid command');
    await reply(invalidCommandReply(parsed.message));
    return { type: 'invalid' };
  }

  let permission: Permission | null = null;
  try {
    permission = await forge.getPermission(event.author);
  } catch (error) {
    log.warn({ author: event.author, err: describeError(error, deps.redact) }, 'permission check failed; refusing');
  }
  if (permission === null || !ALLOWED.has(permission)) {
    log.info({ author: event.author, permission }, 'command refused');
    await reply(refusalReply(permission));
    return { type: 'refused', permission };
  }

  try {
    await forge.reactToComment(event.commentId, 'eyes');
  } catch (error) {
    // The acknowledgement is a courtesy; the work goes ahead without it.
    log.warn({ err: describeError(error, deps.redact) }, 'could not add the 👀 reaction');
  }

  // Data only: the worker rebuilds the forge and asks for credentials when the job starts.
  const job: CommandJob = {
    ref: event.ref,
    installationId: event.installationId,
    serverUrl: event.serverUrl,
    command: parsed,
    actor: event.author,
    issueNumber: event.issueNumber,
    commentId: event.commentId,
    deliveryId: event.deliveryId,
  };
  const key = { repo: repoLabel(event.ref), command: normalizedArguments(parsed), deliveryId: event.deliveryId };
  const result = await deps.queue.enqueue(key, job);
  log.info({ author: event.author, command: key.command, result, ...deps.queue.stats() }, 'command received');
  switch (result) {
    case 'queued':
      return { type: 'queued' };
    case 'redelivery':
      return { type: 'ignored', reason: 'redelivery' };
    case 'duplicate':
      await reply(duplicateReply());
      return { type: 'duplicate' };
    case 'closed':
      await reply(shuttingDownReply());
      return { type: 'closed' };
  }
}
