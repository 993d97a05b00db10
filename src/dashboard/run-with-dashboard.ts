import type { RunOptions, RunReport } from '../pipeline/run-types.js';
import { dashboardFunnel } from './dashboard-funnel.js';
import { dashboardSettings, isDashboardForge, type DashboardSettings } from './dashboard-settings.js';
import { readDashboard, type DashboardRead } from './read-dashboard.js';
import { writeDashboard, type DashboardWrite } from './write-dashboard.js';

export interface RunWithDashboardOptions {
  runPipeline: (options: RunOptions) => Promise<RunReport>;
  options: RunOptions;
  /** The App or the Gitea server runs this (the "Run scrum-apply now" box has a listener). */
  server: boolean;
  /** The workflow run (GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID), when there is one. */
  workflowUrl: string | null;
  /** The durable queue's dead-letter count, when there is one. */
  deadLetters?: () => Promise<number>;
  /** Told what the dashboard write did (tests, the server's status). */
  onDashboard?: (write: DashboardWrite) => void;
}

/**
 * One run with the dashboard around it, for every caller (the CLI and the Action, the App's and
 * the Gitea server's jobs): read the dashboard once before the run, run, write it after. Only
 * an applied run with a forge that keeps dashboards touches it; its failures never fail the run.
 */
export async function runWithDashboard(run: RunWithDashboardOptions): Promise<RunReport> {
  const { options } = run;
  const forge = options.forge;
  if (!options.apply || forge === null || !isDashboardForge(forge)) return run.runPipeline(options);
  const deps = { logger: options.logger.child({ part: 'dashboard' }), redact: options.redact };
  const settings: DashboardSettings = dashboardSettings(options.config, { server: run.server });
  const read: DashboardRead = await readDashboard(forge, settings, deps);
  const report = await run.runPipeline(options);
  const write = await writeDashboard({
    forge,
    settings,
    read,
    report,
    run: { at: new Date().toISOString(), trigger: options.trigger, actor: options.actor, model: options.config.llm.model, url: run.workflowUrl },
    ...(settings.enabled ? await extras(run, forge.kind, deps) : {}),
    ...deps,
  });
  run.onDashboard?.(write);
  return report;
}

async function extras(run: RunWithDashboardOptions, forgeKind: 'github' | 'gitea', deps: Parameters<typeof readDashboard>[2]): Promise<{ funnel?: string; deadLetters?: number }> {
  const { config, auditLogPath } = run.options;
  const funnel = await dashboardFunnel({ auditLogPath, forgeKind, branchPrefix: config.branchPrefix, minConfidence: config.minConfidence, ...deps });
  let deadLetters: number | undefined;
  try {
    deadLetters = await run.deadLetters?.();
  } catch (error) {
    deps.logger.debug({ err: String(error) }, 'no dead-letter count for the dashboard');
  }
  return { ...(funnel === undefined ? {} : { funnel }), ...(deadLetters === undefined ? {} : { deadLetters }) };
}
