import type { ChatForge, DashboardForge, Forge, Permission } from '../forge/types.js';
import type { CommandJob } from '../jobs/command-job.js';
import type { CommandQueue } from '../jobs/command-queue.js';
import { repoLabel } from '../jobs/repo-ref.js';
import type { Logger } from '../log/logger.js';
import { describeError, type Redactor } from '../log/redact.js';
import { markQueued, newlyTickedBoxes, normalizedActions } from '../report/dashboard-boxes.js';
import { DASHBOARD_MARKER } from '../report/dashboard.js';
import type { IssueEditEvent } from './dashboard-edit-event.js';
import { ALLOWED, isBotAccount } from './handle-command.js';

export interface DashboardEditDeps {
  queue: CommandQueue;
  logger: Logger;
  redact: Redactor;
}

export type DashboardEditOutcome =
  | { type: 'ignored'; reason: 'not-the-dashboard' | 'bot' | 'no-new-box' | 'redelivery' }
  | { type: 'refused'; permission: Permission | null }
  | { type: 'queued'; actions: number }
  | { type: 'duplicate' }
  | { type: 'closed' };

/**
 * Boxes ticked on the dashboard issue, the same for every forge: only the dashboard (its marker
 * in the body), only edits by a person, only boxes newly ticked, and only by someone with write
 * access (fail closed; a refused box is unticked by the next dashboard write and nothing runs).
 * Accepted: one job on the command queue with the ticked boxes as its actions, and those boxes
 * marked "queued" on the dashboard until the run rewrites it.
 */
export async function handleDashboardEdit(
  event: IssueEditEvent,
  forge: Forge & ChatForge & DashboardForge,
  deps: DashboardEditDeps,
): Promise<DashboardEditOutcome> {
  const log = deps.logger.child({ repository: repoLabel(event.ref), delivery: event.deliveryId, issue: event.issueNumber });
  if (!event.body.includes(DASHBOARD_MARKER)) return { type: 'ignored', reason: 'not-the-dashboard' };
  if (isBotAccount(event.sender, event.senderIsBot)) return { type: 'ignored', reason: 'bot' };
  const actions = newlyTickedBoxes(event.previousBody, event.body);
  if (actions.length === 0) return { type: 'ignored', reason: 'no-new-box' };
  if (await deps.queue.isRedelivery(event.deliveryId)) {
    log.info('redelivered webhook ignored');
    return { type: 'ignored', reason: 'redelivery' };
  }

  let permission: Permission | null = null;
  try {
    permission = await forge.getPermission(event.sender);
  } catch (error) {
    log.warn({ author: event.sender, err: describeError(error, deps.redact) }, 'permission check failed; refusing');
  }
  if (permission === null || !ALLOWED.has(permission)) {
    // No reply: the next dashboard write renders the box unticked again.
    log.info({ author: event.sender, permission, actions: actions.length }, 'dashboard boxes refused');
    return { type: 'refused', permission };
  }

  // Data only, like a command's job: the worker rebuilds the forge when the job starts.
  const job: CommandJob = {
    ref: event.ref,
    installationId: event.installationId,
    serverUrl: event.serverUrl,
    command: { type: 'command', dryRun: false, force: false, paths: [] },
    actor: event.sender,
    issueNumber: event.issueNumber,
    commentId: 0,
    deliveryId: event.deliveryId,
    actions,
  };
  const key = { repo: repoLabel(event.ref), command: normalizedActions(actions), deliveryId: event.deliveryId };
  const result = await deps.queue.enqueue(key, job);
  log.info({ author: event.sender, command: key.command, result, ...deps.queue.stats() }, 'dashboard boxes received');
  switch (result) {
    case 'queued':
      try {
        await forge.editDashboard(event.issueNumber, markQueued(event.body, actions));
      } catch (error) {
        // A courtesy: the run goes ahead, and rewrites the dashboard when it ends.
        log.warn({ err: describeError(error, deps.redact) }, 'could not mark the boxes as queued');
      }
      return { type: 'queued', actions: actions.length };
    case 'redelivery':
      return { type: 'ignored', reason: 'redelivery' };
    case 'duplicate':
      return { type: 'duplicate' };
    case 'closed':
      return { type: 'closed' };
  }
}
