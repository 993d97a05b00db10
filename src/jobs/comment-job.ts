import { ReviewLogError } from '../reviews/read-reviews.js';
import type { RepoConfigInput } from '../config/config-schema.js';
import { runWithDashboard } from '../dashboard/run-with-dashboard.js';
import { ConfigError, loadRepoConfigFile, resolveConfig } from '../config/load-config.js';
import type { RunOptions, RunReport } from '../pipeline/run-types.js';
import { createAuditLog } from '../report/audit-log.js';
import type { Logger } from '../log/logger.js';
import { createRedactor, describeError, type Redactor } from '../log/redact.js';
import { renderResultsMarkdown } from '../report/results-table.js';
import type { ConnectJob, JobConnection } from './command-job.js';
import type { JobRunner } from './command-queue.js';
import type { AuditSink, ReplyLedger } from './queue-tables.js';
import { commandText } from './parse-command.js';
import type { RepoCache } from './repo-cache.js';
import { auditLogPath, repoLabel, scratchPath, type ServerForgeKind } from './repo-ref.js';
import { configErrorReply, failureReply, refusedSettingReply, resultsReply } from './reply-text.js';
import { runAuditRow } from './run-audit-row.js';
import { applyServerPolicy } from './server-policy.js';

export interface CommentJobDeps {
  /** Rebuilds the job's forge and git credentials from this worker's settings. */
  connect: ConnectJob;
  dataDir: string;
  repoCache: RepoCache;
  /** Where each forge's repositories are cloned from (`{base}/{owner}/{repo}.git`). */
  gitBaseUrls: Record<ServerForgeKind, string>;
  /** The server's environment as a config layer (over the repository's file). */
  envConfig: RepoConfigInput;
  /** The operator's patch model: the only one a server run talks to. */
  llm: { url: string; apiKey?: string };
  runPipeline: (options: RunOptions) => Promise<RunReport>;
  /** The durable queue's dead-letter count, for the dashboard. */
  deadLetters?: () => Promise<number>;
  logger: Logger;
  /** Secrets of the server's own (LLM key, webhook secrets) to keep out of replies and logs. */
  secrets: string[];
  /** A durable queue's record of replies: a retried job answers once. */
  replies?: ReplyLedger | null;
  /** A durable queue's audit table, written alongside the JSONL files. */
  audit?: AuditSink | null;
  now?: () => Date;
}

/** Thrown to a durable queue: retry (infrastructure, a released job) or dead-letter (the last attempt). */
class JobFailure extends Error {}

/**
 * The work behind one accepted command: bring the clone up to date, read the config from the
 * default branch, run the pipeline, and answer with exactly one comment — the results, or
 * what went wrong (redacted, one line, no stack).
 */
export function createCommentJobRunner(deps: CommentJobDeps): JobRunner {
  const now = deps.now ?? (() => new Date());

  return async function runCommentJob(job, signal, attempt = { durable: false, retriesLeft: 0 }) {
    const { command } = job;
    const log = deps.logger.child({ repository: repoLabel(job.ref), delivery: job.deliveryId, issue: job.issueNumber });
    let redact: Redactor = createRedactor(deps.secrets);
    let connection: JobConnection | null = null;

    async function reply(body: string): Promise<void> {
      // Without a connection there is nobody to tell: the failure is logged and audited.
      if (connection === null) return;
      try {
        if (deps.replies && !(await deps.replies.claim(job.deliveryId))) {
          log.info('reply already posted by an earlier attempt');
          return;
        }
      } catch (error) {
        log.error({ err: describeError(error, redact) }, 'could not record the reply; not posting it twice');
        return;
      }
      try {
        await connection.forge.createComment(job.issueNumber, redact(body));
      } catch (error) {
        log.error({ err: describeError(error, redact) }, 'could not post the reply');
        await deps.replies?.release(job.deliveryId).catch(() => undefined);
      }
    }

    const auditSink = deps.audit;
    const repository = repoLabel(job.ref);

    try {
      connection = await deps.connect(job);
      const { forge, gitAuth: auth } = connection;
      redact = createRedactor([...deps.secrets, auth?.token]);
      const branch = await forge.defaultBranch();
      const clone = await deps.repoCache.sync({ ref: job.ref, baseUrl: deps.gitBaseUrls[job.ref.forge], branch, auth, redact });

      // Read from the clone, i.e. the default branch at the commit this run uses; the
      // operator's model URL is a flag here, so a repository cannot point the server elsewhere.
      const config = resolveConfig({
        file: await loadRepoConfigFile(clone.dir),
        env: deps.envConfig,
        flags: { llm: { url: deps.llm.url }, ...(command.maxFiles === undefined ? {} : { maxFiles: command.maxFiles }) },
      });
      const policy = await applyServerPolicy(config, clone.dir);
      if (!policy.ok) {
        log.warn({ reason: policy.reason }, 'config refused in server mode');
        await reply(refusedSettingReply(policy.reason));
        return;
      }

      log.info({ sha: clone.sha, apply: !command.dryRun, only: command.paths.length }, 'running the pipeline');
      // An applied run reads the dashboard issue first and brings it up to date after.
      const report = await runWithDashboard({
        runPipeline: deps.runPipeline,
        server: true,
        // Only the boxes the webhook saw ticked by a writer (the job's actions), never the body's others.
        honourTicks: false,
        workflowUrl: null,
        ...(deps.deadLetters ? { deadLetters: deps.deadLetters } : {}),
        options: {
          repoDir: clone.dir,
          config: policy.config,
          apply: !command.dryRun,
          forge,
          only: command.paths,
          force: command.force,
          // Ticked boxes, or the paths a person named: those files are asked about again even
          // when they failed before (the dashboard's memory is added when it is read).
          dashboard: { memory: {}, actions: job.actions ?? command.paths.map((file) => ({ type: 'retry' as const, file })) },
          trigger: 'comment',
          actor: job.actor,
          auditLogPath: auditLogPath(deps.dataDir, job.ref),
          scratchRoot: scratchPath(deps.dataDir),
          llm: { url: deps.llm.url, ...(deps.llm.apiKey ? { apiKey: deps.llm.apiKey } : {}) },
          gitAuth: auth,
          logger: log,
          redact,
          signal,
          ...(auditSink ? { auditSink: (row: Parameters<AuditSink>[1]) => auditSink(repository, row) } : {}),
        },
      });
      log.info({ run: report.runId, files: report.results.length, ms: report.durationMs }, 'run finished');
      // Ticked boxes are answered by the dashboard itself (rewritten by the run), not by a comment.
      if (job.actions === undefined) await reply(resultsReply(renderResultsMarkdown(report), job.actor, commandText(command)));
    } catch (error) {
      if (error instanceof ConfigError) {
        log.warn({ err: describeError(error, redact) }, 'invalid repository config');
        await reply(configErrorReply(describeError(error, redact)));
        return;
      }
      if (signal.aborted) {
        // A durable queue runs the job again (another worker); in process the shutdown audits
        // the interruption: tell the person too if we still can.
        if (attempt.durable) throw new JobFailure('interrupted by shutdown');
        await reply(failureReply('the server shut down before the run finished'));
        return;
      }
      const message = describeError(error, redact);
      // What the repository holds (no review log, an unreadable one) is the answer, not a
      // failure of ours: retrying cannot change it, so it is answered once, like a red check.
      const result = error instanceof ReviewLogError;
      if (!result && attempt.durable && attempt.retriesLeft > 0) {
        // Infrastructure (the forge, git, the model unreachable): the queue retries with back-off.
        log.warn({ err: message, retriesLeft: attempt.retriesLeft }, 'run failed; the queue retries it');
        throw new JobFailure(message);
      }
      log.error({ err: message }, 'run failed');
      const row = runAuditRow({ deliveryId: job.deliveryId, actor: job.actor, dryRun: command.dryRun, error: message, now: now() });
      await createAuditLog(auditLogPath(deps.dataDir, job.ref), redact)
        .append(row)
        .catch((auditError: unknown) => log.error({ err: describeError(auditError, redact) }, 'could not write the audit row'));
      await auditSink?.(repository, row).catch((auditError: unknown) => log.error({ err: describeError(auditError, redact) }, 'could not write the audit row'));
      await reply(failureReply(message));
      // The last attempt of a durable job: answered, and into the dead-letter queue.
      if (attempt.durable && !result) throw new JobFailure(message);
    }
  };
}
