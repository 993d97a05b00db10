import type { HistoryForge, PrHistory } from '../forge/types.js';
import type { Logger } from '../log/logger.js';
import { buildFunnel, sumStages } from './build-funnel.js';
import { calibrate } from './calibrate.js';
import { classifyPr, type ClassifiedPr } from './classify-pr.js';
import { createHistoryCollector, type AuditHistory } from './history-collector.js';
import { auditLogSource, type AuditLogSummary, type AuditSource } from './read-audit-log.js';
import type { GroupBy, StatsReport } from './stats-types.js';

export interface StatsOptions {
  /** JSONL audit logs of one repository (the CLI's, the server's), read in turn. */
  auditLogs: string[];
  /** Other sources of the same repository's rows (the server's audit table), read after the logs. */
  auditSources?: AuditSource[];
  /** null: `--forge none`, the funnel stops at "PR opened". */
  forge: HistoryForge | null;
  forgeKind: 'github' | 'gitea' | 'none';
  branchPrefix: string;
  since: Date | null;
  by: GroupBy | null;
  targetPrecision: number;
  currentMinConfidence: number;
  logger: Logger;
  now: () => Date;
}

/**
 * The trust funnel: the audit logs streamed into a small summary while the forge lists the
 * bot's PRs (one paginated listing, whatever the number of PRs), then joined by PR number.
 */
export async function computeStats(options: StatsOptions): Promise<StatsReport> {
  const { logger } = options;
  // One listing of every PR of the repository (both forges list them all and filter locally
  // anyway), narrowed below to the bot's: the branch prefix may have changed over time.
  const listing: Promise<PrHistory[] | null> = options.forge === null ? Promise.resolve(null) : options.forge.listPrHistory('');
  // Awaited after the logs are read; until then a failure must not count as unhandled.
  listing.catch(() => undefined);

  const collector = createHistoryCollector({ by: options.by, sinceMs: options.since?.getTime() ?? null });
  const logs: AuditLogSummary[] = [];
  for (const source of [...options.auditLogs.map(auditLogSource), ...(options.auditSources ?? [])]) {
    logger.info({ path: source.name }, 'reading audit log');
    const summary = await source.read(collector.add);
    if (summary.malformed > 0) logger.warn({ path: source.name, malformed: summary.malformed, first: summary.problems[0] }, 'skipped malformed audit lines');
    logs.push(summary);
  }
  const history = collector.finish();

  const listed = botPrs(await listing, options.branchPrefix, history);
  if (listed !== null) logger.info({ prs: listed.length }, 'listed pull requests');
  const byNumber = new Map((listed ?? []).map((pr) => [pr.number, pr]));
  const withForge = listed !== null;
  const prs: ClassifiedPr[] = [...history.prs.values()].map((pr) =>
    withForge
      ? classifyPr(pr, byNumber.get(pr.number), history.evidence.get(pr.number), history.shaOwners)
      : { ...pr, outcome: 'unknown', hoursToDecision: null },
  );

  const overall = buildFunnel('all', sumStages(history.stages.values()), prs, withForge);
  const groups =
    options.by === null
      ? []
      : [...history.stages.entries()]
          .map(([group, stages]) => buildFunnel(group, stages, prs.filter((pr) => pr.group === group), withForge))
          .sort((a, b) => b.selected - a.selected || a.group.localeCompare(b.group));

  return {
    generatedAt: options.now().toISOString(),
    since: options.since?.toISOString() ?? null,
    by: options.by,
    forge: options.forgeKind,
    input: {
      logs: logs.map(({ path, rows, malformed, problems }) => ({ path, rows, malformed, problems })),
      rows: logs.reduce((sum, log) => sum + log.rows, 0),
      malformed: logs.reduce((sum, log) => sum + log.malformed, 0),
      runRows: history.runRows,
      beforeSince: history.beforeSince,
    },
    prsListed: listed?.length ?? null,
    overall,
    groups,
    calibration: calibrate(prs, { targetPrecision: options.targetPrecision, currentMinConfidence: options.currentMinConfidence, withForge }),
  };
}

/**
 * The listed PRs that are the bot's: their branch starts with the configured prefix or with
 * any prefix the audit rows show (`branchPrefix` changed over time), or is a branch a row
 * names (a cleaned or shortened name shows no prefix).
 */
function botPrs(listed: PrHistory[] | null, branchPrefix: string, history: AuditHistory): PrHistory[] | null {
  if (listed === null) return null;
  const prefixes = [...new Set([branchPrefix, ...history.branchPrefixes])];
  const branches = new Set<string>();
  for (const pr of history.prs.values()) if (pr.branch !== null) branches.add(pr.branch);
  return listed.filter((pr) => branches.has(pr.headBranch) || prefixes.some((prefix) => pr.headBranch.startsWith(prefix)));
}
