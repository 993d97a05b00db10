import type { Logger } from '../log/logger.js';
import { describeError, type Redactor } from '../log/redact.js';
import { computeStats } from '../stats/compute-stats.js';
import { renderFunnelSection } from '../stats/render-funnel-section.js';

/**
 * The short trust funnel for the dashboard, from the audit rows the run can read (its own log).
 * The forge is not asked again (the PR outcomes are `scrum-apply stats`'s). undefined when
 * there are no rows or the log cannot be read: the dashboard goes without it.
 */
export async function dashboardFunnel(options: { auditLogPath: string; forgeKind: 'github' | 'gitea'; branchPrefix: string; minConfidence: number; logger: Logger; redact: Redactor }): Promise<string | undefined> {
  try {
    const report = await computeStats({
      auditLogs: [options.auditLogPath],
      forge: null,
      forgeKind: options.forgeKind,
      branchPrefix: options.branchPrefix,
      since: null,
      by: null,
      targetPrecision: 0.9,
      currentMinConfidence: options.minConfidence,
      logger: options.logger.child({ part: 'dashboard funnel' }),
      now: () => new Date(),
    });
    if (report.overall.selected === 0) return undefined;
    return renderFunnelSection(report, { heading: '### Trust funnel', groups: false }).replace('no forge asked (--forge none)', 'merges: see `scrum-apply stats`');
  } catch (error) {
    options.logger.debug({ err: describeError(error, options.redact) }, 'no funnel for the dashboard');
    return undefined;
  }
}
