import { runPipeline } from '../pipeline/run-pipeline.js';
import type { RunOptions, RunReport } from '../pipeline/run-types.js';
import { createLogger, type Logger } from '../log/logger.js';
import { createRedactor, type Redactor } from '../log/redact.js';
import { createCommandService, type CommandService } from './command-service.js';
import { createCommentJobRunner } from '../jobs/comment-job.js';
import { createJobConnectors, type JobConnectors } from '../jobs/job-connectors.js';
import { createRepoCache } from '../jobs/repo-cache.js';
import type { ServerSettings } from './server-settings.js';

export interface ServerRuntime {
  service: CommandService;
  /** Each forge's receiver registers how a worker reconnects to it for a job. */
  connectors: JobConnectors;
  logger: Logger;
  redact: Redactor;
}

export interface RuntimeDeps {
  /** Default: the real pipeline. */
  runPipeline?: (options: RunOptions) => Promise<RunReport>;
  logger?: Logger;
  now?: () => Date;
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
    ...(deps.now ? { now: deps.now } : {}),
  });
  const service = createCommandService({
    runJob,
    connect,
    dataDir: settings.dataDir,
    logger,
    redact,
    concurrency: settings.jobConcurrency,
    ...(deps.now ? { now: deps.now } : {}),
  });
  return { service, connectors, logger, redact };
}
