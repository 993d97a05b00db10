import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { configFromEnv, loadRepoConfigFile, resolveConfig } from '../config/load-config.js';
import { createForgeFromEnv, detectForgeKind } from '../forge/create-forge.js';
import { createLogger } from '../log/logger.js';
import { createRedactor, describeError, secretsFromEnv } from '../log/redact.js';
import { terminalJson } from '../report/terminal-text.js';
import { AuditLogError } from '../stats/read-audit-log.js';
import { computeStats } from '../stats/compute-stats.js';
import { renderStatsMarkdown } from '../stats/render-stats-markdown.js';
import { renderStatsTable } from '../stats/render-stats-table.js';
import { openUserRepo } from '../git/user-repo.js';
import { openAuditDb } from './audit-db-source.js';
import { auditLogPathFor } from './audit-log-path.js';
import { ExitError } from './exit-error.js';
import { createHumanLogStream } from './human-log-stream.js';
import type { CliCommand } from './parse-cli-args.js';
import type { CliIo } from './run-command.js';

type StatsCommand = Extract<CliCommand, { type: 'stats' }>;

/**
 * The directory whose config applies: the repository's top level, or — stats need no git —
 * the directory itself when it is not in a repository.
 */
async function configRoot(dir: string): Promise<{ topLevel: string; commonDir: string | null }> {
  const isDirectory = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDirectory) throw new ExitError(1, `no such directory: ${dir}`);
  return openUserRepo(dir).then(
    (repo) => ({ topLevel: repo.topLevel, commonDir: repo.commonDir }),
    // Not a repository: the directory's own config, and no default audit log.
    () => ({ topLevel: dir, commonDir: null }),
  );
}

/** `scrum-apply stats`: read the audit logs, ask the forge once, print the funnel. Returns the exit code. */
export async function runStatsCommand(command: StatsCommand, io: CliIo): Promise<number> {
  const { env } = io;
  const redact = createRedactor(secretsFromEnv(env));
  const logger = createLogger({ redact, destination: env.LOG_FORMAT === 'json' ? io.stderr : createHumanLogStream(io.stderr) });

  const repo = await configRoot(resolve(io.cwd, command.repo ?? '.'));
  const root = repo.topLevel;
  const config = resolveConfig({ file: await loadRepoConfigFile(root), env: configFromEnv(env).config });
  let auditLogs = command.auditLogs.map((path) => resolve(io.cwd, path));
  if (auditLogs.length === 0 && command.auditDb === undefined) {
    // The run's own default: the config's auditLog, else the one in the repository's git directory.
    if (config.auditLog !== undefined) auditLogs = [resolve(root, config.auditLog)];
    else if (repo.commonDir !== null) auditLogs = [auditLogPathFor(undefined, { topLevel: root, commonDir: repo.commonDir })];
    else throw new ExitError(1, `${root} is not a git repository: name the audit logs with --audit-log`);
  }

  const kind = command.forge ?? detectForgeKind(env);
  let forge;
  try {
    forge = createForgeFromEnv(kind, env, logger, redact).forge;
  } catch (error) {
    throw new ExitError(1, describeError(error, redact));
  }

  const auditDb = command.auditDb === undefined ? null : await openAuditDb(command.auditDb, kind, env);
  let report;
  try {
    report = await computeStats({
      auditLogs,
      auditSources: auditDb === null ? [] : [auditDb.source],
      forge,
      forgeKind: kind,
      branchPrefix: config.branchPrefix,
      since: command.since,
      by: command.by,
      targetPrecision: command.targetPrecision,
      currentMinConfidence: config.minConfidence,
      logger,
      now: () => new Date(),
    });
  } catch (error) {
    if (error instanceof AuditLogError) throw new ExitError(1, error.message);
    throw error;
  } finally {
    await auditDb?.close();
  }

  const text = command.output === 'json' ? `${terminalJson(report)}\n` : command.output === 'markdown' ? renderStatsMarkdown(report) : renderStatsTable(report);
  io.stdout.write(redact(text));
  return 0;
}
