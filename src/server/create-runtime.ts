import { runPipeline } from '../pipeline/run-pipeline.js';
import type { RunOptions, RunReport } from '../pipeline/run-types.js';
import { createLogger, type Logger } from '../log/logger.js';
import { createRedactor, type Redactor } from '../log/redact.js';
import { createCommandService, type CommandService } from './command-service.js';
import { createCommentJobRunner } from '../jobs/comment-job.js';
import { createJobQueueFromSettings, type ChosenQueue } from '../jobs/create-job-queue.js';
import { createJobConnectors, type JobConnectors } from '../jobs/job-connectors.js';
import type { PgBossQueueOptions } from '../jobs/pg-boss-queue.js';
import { createRepoCache } from '../jobs/repo-cache.js';
import type { ServerSettings } from './server-settings.js';

export interface ServerRuntime {
  service: CommandService;
  /** Each forge's receiver registers how a worker reconnects to it for a job. */
  connectors: JobConnectors;
  logger: Logger;
  redact: Redactor;
  /** This process receives webhooks (role web or all). */
  receives: boolean;
}

export interface RuntimeDeps {
  /** Default: the real pipeline. */
  runPipeline?: (options: RunOptions) => Promise<RunReport>;
  logger?: Logger;
  now?: () => Date;
  /** Default: in process. */
  queue?: ChosenQueue;
  /** The durable queue's timings (tests make them short). */
  queueTuning?: Partial<Pick<PgBossQueueOptions, 'pollMs' | 'maintenanceSeconds' | 'retryLimit' | 'retryDelaySeconds'>>;
}

/** Everything a webhook needs behind it: clone cache, job runner, queue — shared by both forges. */
export function createServerRuntime(settings: ServerSettings, deps: RuntimeDeps = {}): ServerRuntime {
  const redact = createRedactor(settings.secrets);
  const logger = deps.logger ?? createLogger({ redact });
  const connectors = createJobConnectors();
  const connect = (job: Parameters<JobConnectors['connect']>[0]) => connectors.connect(job);
  const repoCache = createRepoCache({ dataDir: settings.dataDir, maxBytes: settings.maxRepoBytes, logger });
  const runJob = createCommentJobRunner({
    connect,
    dataDir: settings.dataDir,
    repoCache,
    gitBaseUrls: settings.gitBaseUrls,
    envConfig: settings.envConfig,
    llm: settings.llm,
    runPipeline: deps.runPipeline ?? runPipeline,
    logger,
    secrets: settings.secrets,
    replies: deps.queue?.replies ?? null,
    audit: deps.queue?.audit ?? null,
    ...deadLetterCount(deps.queue),
    ...(deps.now ? { now: deps.now } : {}),
  });
  const service = createCommandService({
    runJob: settings.role === 'web' ? null : runJob,
    connect,
    dataDir: settings.dataDir,
    logger,
    redact,
    concurrency: settings.jobConcurrency,
    ...(deps.queue ? { queue: deps.queue.queue } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  return { service, connectors, logger, redact, receives: settings.role !== 'worker' };
}

/**
 * The runtime with the queue the settings ask for: pg-boss when DATABASE_URL is set (this
 * connects, and throws one redacted line when the database cannot be used), else in process.
 */
export async function openServerRuntime(settings: ServerSettings, deps: RuntimeDeps = {}): Promise<ServerRuntime> {
  const redact = createRedactor(settings.secrets);
  const logger = deps.logger ?? createLogger({ redact });
  const queue =
    deps.queue ??
    (await createJobQueueFromSettings(
      { databaseUrl: settings.databaseUrl, concurrency: settings.jobConcurrency, expirySeconds: settings.jobExpirySeconds },
      { logger, redact, ...(deps.queueTuning ? { tuning: deps.queueTuning } : {}) },
    ));
  return createServerRuntime(settings, { ...deps, logger, queue });
}

/** A durable queue (one that records replies) has a dead-letter queue worth a line on the dashboard. */
function deadLetterCount(chosen: ChosenQueue | undefined): { deadLetters?: () => Promise<number> } {
  if (chosen === undefined || chosen.replies === null) return {};
  const { queue } = chosen;
  return { deadLetters: () => queue.deadLetters() };
}
