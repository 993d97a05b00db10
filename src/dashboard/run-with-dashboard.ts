import type { DashboardForge } from '../forge/types.js';
import type { Logger } from '../log/logger.js';
import type { RunOptions, RunReport } from '../pipeline/run-types.js';
import { newlyTickedBoxes } from '../report/dashboard-boxes.js';
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
  /**
   * Act on the boxes ticked in the dashboard as read (the CLI and the Action: the scheduled
   * workflow acts without the App). The server acts only on the boxes its webhook saw ticked by
   * someone with write access (the job's actions), never on what else the body holds.
   */
  honourTicks?: boolean;
  /** A dry run's forge to read the dashboard from (a dry run's pipeline has none); never written to. */
  dryRunForge?: DashboardForge | null;
  /** Told what the dashboard write did (tests, the server's status). */
  onDashboard?: (write: DashboardWrite) => void;
}

/**
 * One run with the dashboard around it, for every caller (the CLI and the Action, the App's and
 * the Gitea server's jobs): read the dashboard once before the run, run, write it after. Only
 * an applied run with a forge that keeps dashboards touches it; its failures never fail the run.
 * What it read is the run's failure memory and, where honoured, its ticked boxes are the run's
 * actions (withDashboardInputs); a dry run reads it when it can and writes nothing.
 */
export async function runWithDashboard(run: RunWithDashboardOptions): Promise<RunReport> {
  const { options } = run;
  const forge = options.forge;
  const deps = { logger: options.logger.child({ part: 'dashboard' }), redact: options.redact };
  const settings: DashboardSettings = dashboardSettings(options.config, { server: run.server });
  if (!options.apply) {
    // A dry run reads the dashboard (when it can) and says what it would do; it never writes.
    const reader = run.dryRunForge ?? null;
    if (reader === null || !settings.enabled) return run.runPipeline(options);
    return run.runPipeline(withDashboardInputs(run, await readDashboard(reader, settings, deps), deps.logger));
  }
  if (forge === null || !isDashboardForge(forge)) return run.runPipeline(options);
  const read: DashboardRead = await readDashboard(forge, settings, deps);
  const report = await run.runPipeline(withDashboardInputs(run, read, deps.logger));
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

/**
 * The run's options with what the dashboard brings: its memory of each file (known failures are
 * not bought again) and, where the caller honours them, the boxes ticked in it (not those the
 * server already marked queued: its job acts on them).
 */
export function withDashboardInputs(run: Pick<RunWithDashboardOptions, 'options' | 'honourTicks'>, read: Pick<DashboardRead, 'issue' | 'state'>, logger: Logger): RunOptions {
  const { options } = run;
  const ticked = run.honourTicks === true && read.issue !== null && read.issue.state === 'open' ? newlyTickedBoxes(null, read.issue.body) : [];
  if (ticked.length > 0) logger.info({ boxes: ticked.map((a) => ('file' in a ? `${a.type} ${a.file}` : a.type)), apply: options.apply }, options.apply ? 'acting on the boxes ticked in the dashboard' : 'dry run: would act on the boxes ticked in the dashboard');
  return { ...options, dashboard: { memory: read.state.files, actions: [...(options.dashboard?.actions ?? []), ...ticked] } };
}
