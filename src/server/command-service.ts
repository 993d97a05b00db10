import type { ChatForge, DashboardForge, Forge } from '../forge/types.js';
import { createAuditLog } from '../report/audit-log.js';
import type { Logger } from '../log/logger.js';
import { describeError, type Redactor } from '../log/redact.js';
import type { CommandJob, ConnectJob } from '../jobs/command-job.js';
import type { CommandQueue, JobRunner, QueueHealth } from '../jobs/command-queue.js';
import { createInProcessQueue } from '../jobs/in-process-queue.js';
import type { IssueEditEvent } from './dashboard-edit-event.js';
import { handleCommand, type CommandOutcome, type CommentEvent } from './handle-command.js';
import { handleDashboardEdit, type DashboardEditOutcome } from './handle-dashboard-edit.js';
import type { InterruptedJob } from '../jobs/job-queue.js';
import { auditLogPath, repoLabel } from '../jobs/repo-ref.js';
import { droppedReply } from '../jobs/reply-text.js';
import { runAuditRow } from '../jobs/run-audit-row.js';

export const INTERRUPTED = 'interrupted by shutdown';
/** How long a shutdown waits for the forge to take the reply to a command that never ran. */
const REPLY_BUDGET_MS = 5_000;

/** The comment trigger as both forges' webhooks use it: one queue, one job runner. */
export interface CommandService {
  handle(event: CommentEvent, forge: Forge & ChatForge): Promise<CommandOutcome>;
  /** An edited issue: boxes ticked on the dashboard become a job on the same queue. */
  handleDashboardEdit(event: IssueEditEvent, forge: Forge & ChatForge & DashboardForge): Promise<DashboardEditOutcome>;
  /** The queue is in a database (pg-boss): `/healthz` counts it. */
  readonly durable: boolean;
  /** This process's jobs. */
  stats(): { queued: number; running: number };
  /** The whole queue (all processes, with a database). */
  health(): Promise<QueueHealth>;
  onIdle(): Promise<void>;
  /** Stop accepting, let running jobs finish until the deadline, audit the ones that are lost. */
  shutdown(deadlineMs: number): Promise<Array<InterruptedJob<CommandJob>>>;
}

export interface CommandServiceOptions {
  /** The worker side: runs the jobs. Null: this process only queues them (SCRUM_APPLY_ROLE=web). */
  runJob: JobRunner | null;
  /** Rebuilds a job's forge (to tell the commenter about a job dropped at shutdown). */
  connect: ConnectJob;
  dataDir: string;
  logger: Logger;
  redact: Redactor;
  /** Jobs at once across repositories (default 2), for the default in-process queue. */
  concurrency?: number;
  now?: () => Date;
  /** The queue (default: in process). */
  queue?: CommandQueue;
}

export function createCommandService(options: CommandServiceOptions): CommandService {
  const now = options.now ?? (() => new Date());
  const queue =
    options.queue ??
    createInProcessQueue({ concurrency: options.concurrency ?? 2, logger: options.logger, redact: options.redact, now: () => now().getTime() });
  if (options.runJob !== null) queue.work(options.runJob);
  const deps = { queue, logger: options.logger, redact: options.redact };

  return {
    handle: (event, forge) => handleCommand(event, forge, deps),
    handleDashboardEdit: (event, forge) => handleDashboardEdit(event, forge, deps),
    durable: queue.backend === 'pg-boss',
    stats: () => queue.stats(),
    health: () => queue.health(),
    onIdle: () => queue.onIdle(),
    async shutdown(deadlineMs) {
      const interrupted = await queue.close(deadlineMs);
      for (const { meta, started } of interrupted) {
        options.logger.warn({ repository: repoLabel(meta.ref), delivery: meta.deliveryId, started }, 'job interrupted by shutdown');
        const row = runAuditRow({ deliveryId: meta.deliveryId, actor: meta.actor, dryRun: meta.command.dryRun, error: INTERRUPTED, now: now() });
        try {
          await createAuditLog(auditLogPath(options.dataDir, meta.ref), options.redact).append(row);
        } catch (error) {
          options.logger.error({ err: describeError(error, options.redact) }, 'could not write the audit row');
        }
        // A running job answers for itself when aborted; one that never started cannot.
        if (!started) await replyWithin(meta, droppedReply(), options);
      }
      return interrupted;
    },
  };
}

async function replyWithin(job: CommandJob, body: string, options: CommandServiceOptions): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, REPLY_BUDGET_MS);
  });
  try {
    const reply = options.connect(job).then(({ forge }) => forge.createComment(job.issueNumber, body));
    await Promise.race([reply, timeout]);
  } catch (error) {
    options.logger.warn({ err: describeError(error, options.redact) }, 'could not tell the commenter about the shutdown');
  } finally {
    clearTimeout(timer);
  }
}
