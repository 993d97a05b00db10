import { appendFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { configFromEnv, loadRepoConfigFile, resolveConfig } from '../config/load-config.js';
import { createForgeFromEnv, detectForgeKind, type ForgeKind } from '../forge/create-forge.js';
import type { DashboardForge } from '../forge/types.js';
import { isDashboardForge, workflowRunUrl } from '../dashboard/dashboard-settings.js';
import { runWithDashboard } from '../dashboard/run-with-dashboard.js';
import { runPipeline } from '../pipeline/run-pipeline.js';
import type { FileResult } from '../pipeline/run-types.js';
import type { Trigger } from '../report/audit-row.js';
import { createLogger, type Logger } from '../log/logger.js';
import { createRedactor, describeError, secretsFromEnv, type Redactor } from '../log/redact.js';
import { renderResultsMarkdown, renderResultsTable } from '../report/results-table.js';
import { terminalJson } from '../report/terminal-text.js';
import { openUserRepo, type UserRepo } from '../git/user-repo.js';
import { auditLogPathFor } from './audit-log-path.js';
import { ExitError } from './exit-error.js';
import { createHumanLogStream } from './human-log-stream.js';
import type { CliCommand } from './parse-cli-args.js';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

type RunCommand = Extract<CliCommand, { type: 'run' }>;

/** The user's repository (its top level holds the config file); the run reuses it. */
async function openRepo(dir: string): Promise<UserRepo> {
  try {
    return await openUserRepo(dir);
  } catch (error) {
    throw new ExitError(1, error instanceof Error ? error.message : String(error));
  }
}

function triggerFrom(env: NodeJS.ProcessEnv): Trigger {
  const underActions = env.GITHUB_ACTIONS === 'true' || env.GITEA_ACTIONS === 'true';
  return underActions && (env.GITHUB_EVENT_NAME === 'schedule' || env.GITHUB_EVENT_NAME === 'workflow_dispatch') ? 'schedule' : 'cli';
}

function actorFrom(env: NodeJS.ProcessEnv): string | null {
  if (env.GITHUB_ACTOR) return env.GITHUB_ACTOR;
  try {
    return userInfo().username;
  } catch {
    // A uid with no passwd entry (common in containers): the audit row says no actor.
    return null;
  }
}

/** A dry run's way to read the dashboard: the forge, when its token is at hand (a dry run needs none). */
function dashboardReader(kind: ForgeKind, env: NodeJS.ProcessEnv, logger: Logger, redact: Redactor): DashboardForge | null {
  if (kind === 'none') return null;
  try {
    const { forge } = createForgeFromEnv(kind, env, logger, redact);
    return isDashboardForge(forge) ? forge : null;
  } catch {
    // No token (or no repository named): the dry run goes without the dashboard.
    return null;
  }
}

/** `scrum-apply run`: resolve settings, run the pipeline, print the report. Returns the exit code. */
export async function runRunCommand(command: RunCommand, io: CliIo): Promise<number> {
  const { env } = io;
  const redact = createRedactor(secretsFromEnv(env));
  const logStream = env.LOG_FORMAT === 'json' ? io.stderr : createHumanLogStream(io.stderr);
  const logger = createLogger({ redact, destination: logStream });

  const userRepo = await openRepo(resolve(io.cwd, command.repo ?? '.'));
  const repoDir = userRepo.topLevel;
  const fromEnv = configFromEnv(env);
  const config = resolveConfig({ file: await loadRepoConfigFile(repoDir), env: fromEnv.config, flags: command.flags });
  const apply = command.apply ?? fromEnv.apply ?? false;
  const llmUrl = config.llm.url;
  if (!llmUrl) throw new ExitError(1, 'no patch model configured: set SCRUM_APPLY_LLM_URL (or llm.url in .github/scrum-apply.yml)');

  const kind = command.forge ?? detectForgeKind(env);
  let setup;
  try {
    // A dry run lists and writes nothing on a forge: it needs neither the forge nor its token.
    setup = createForgeFromEnv(apply ? kind : 'none', env, logger, redact);
  } catch (error) {
    throw new ExitError(1, describeError(error, redact));
  }
  const dataDir = env.SCRUM_APPLY_DATA_DIR ? resolve(env.SCRUM_APPLY_DATA_DIR) : join(tmpdir(), 'scrum-apply');
  const auditLogPath = auditLogPathFor(config.auditLog, userRepo);

  logger.info({ repo: repoDir, apply, forge: kind, model: config.llm.model, maxFiles: config.maxFiles }, apply ? 'starting' : 'starting a dry run');
  const options = {
    repoDir,
    userRepo,
    config,
    apply,
    forge: setup.forge,
    only: command.only,
    checkEnv: env,
    force: false,
    trigger: triggerFrom(env),
    actor: actorFrom(env),
    base: command.base,
    auditLogPath,
    scratchRoot: join(dataDir, 'scratch'),
    llm: { url: llmUrl, apiKey: env.SCRUM_APPLY_LLM_KEY || undefined },
    gitAuth: setup.gitAuth,
    logger,
    redact,
    onFileDone: (result: FileResult) => logger.debug({ file: result.file, action: result.action }, 'progress'),
  };
  // An applied run with a forge reads the dashboard issue first and brings it up to date after.
  // The boxes ticked in it are this run's actions (the scheduled workflow acts without the App);
  // a dry run reads it too, when it can, and says what it would do.
  const report = await runWithDashboard({
    runPipeline,
    options,
    server: false,
    honourTicks: true,
    dryRunForge: apply ? null : dashboardReader(kind, env, logger, redact),
    workflowUrl: workflowRunUrl(env),
  });

  const table = redact(renderResultsTable(report));
  if (command.json) {
    io.stderr.write(table);
    io.stdout.write(`${redact(terminalJson(report))}\n`);
  } else {
    io.stdout.write(table);
  }
  if (env.GITHUB_STEP_SUMMARY) {
    await appendFile(env.GITHUB_STEP_SUMMARY, redact(renderResultsMarkdown(report)));
  }
  logger.info({ audit: auditLogPath, ms: report.durationMs }, 'done');
  return 0;
}
