import type { DashboardForge } from '../forge/types.js';
import type { Logger } from '../log/logger.js';
import { describeError, type Redactor } from '../log/redact.js';
import { dashboardChanged, mergeDashboard, renderDashboard } from '../report/dashboard.js';
import type { RunReport } from '../report/run-report.js';
import type { DashboardSettings } from './dashboard-settings.js';
import type { DashboardRead } from './read-dashboard.js';

/** The run as the dashboard's "Last run" line tells it. */
export interface DashboardRun {
  /** When the run finished (ISO time); a file's "since" when its state changed. */
  at: string;
  trigger: string;
  actor: string | null;
  model: string;
  /** The workflow run, when there is one. */
  url: string | null;
}

export interface WriteDashboardOptions {
  forge: DashboardForge & { maxBodyLength?: number };
  settings: DashboardSettings;
  read: DashboardRead;
  report: RunReport;
  run: DashboardRun;
  /** Jobs in the durable queue's dead-letter queue, when the caller has one. */
  deadLetters?: number;
  /** A short trust-funnel section (markdown), when the run has audit rows to draw it from. */
  funnel?: string;
  logger: Logger;
  redact: Redactor;
}

/** What the write did. */
export type DashboardWrite = 'created' | 'edited' | 'unchanged' | 'left-closed' | 'off' | 'recorded-off' | 'skipped' | 'failed';

/** Written into a closed dashboard by a run with `dashboard: false`: the next run with it on opens a new one. */
export const DASHBOARD_OFF_MARKER = '<!-- scrum-apply:dashboard-off -->';
/** The forges allow 65,536 characters; the product keeps to 60,000. */
const MAX_BODY = 60_000;
const RUN_BOX = '<!-- scrum-apply:run-now -->';

/**
 * Bring the dashboard up to date after an applied run: the state read at the start with this
 * run's results merged in. Writes nothing when the body would not change (the run's time and
 * figures aside), when a person closed the issue, or on a dry run. Never throws: a failure is
 * logged at warn and the run's results stand.
 */
export async function writeDashboard(options: WriteDashboardOptions): Promise<DashboardWrite> {
  const { forge, settings, read, report, logger } = options;
  const log = logger.child({ dashboard: read.issue?.number ?? null });
  if (report.dryRun || read.failed) return 'skipped';
  const issue = read.issue;
  try {
    if (!settings.enabled) {
      if (issue === null || issue.state === 'open' || issue.body.includes(DASHBOARD_OFF_MARKER)) return 'off';
      // Closed by a person, and now turned off: say so in it, so turning it on again opens a new one.
      await forge.editDashboard(issue.number, `${issue.body}\n\n_scrum-apply: \`dashboard: false\` seen on ${options.run.at.slice(0, 10)}; with \`dashboard: true\` the next run opens a new dashboard._\n${DASHBOARD_OFF_MARKER}`);
      log.info('dashboard turned off; recorded in the closed dashboard issue');
      return 'recorded-off';
    }
    const reopen = issue !== null && issue.state === 'closed' && issue.body.includes(DASHBOARD_OFF_MARKER);
    if (issue !== null && issue.state === 'closed' && !reopen) {
      log.info('the dashboard issue was closed by a person; left closed (toggle `dashboard` to open a new one)');
      return 'left-closed';
    }
    const state = mergeDashboard(reopen ? { ...read.state, lastRun: null } : read.state, report, options.run);
    const body = options.redact(
      renderDashboard(state, {
        maxLength: Math.min(MAX_BODY, forge.maxBodyLength ?? MAX_BODY),
        // Once shown (by the App or the Gitea server), the run box stays when the CLI writes.
        runBox: settings.runBox || (issue?.body.includes(RUN_BOX) ?? false),
        ...(options.funnel === undefined ? {} : { funnel: options.funnel }),
        notes: options.deadLetters === undefined ? [] : [`Dead-letter queue: ${options.deadLetters} job${options.deadLetters === 1 ? '' : 's'} that failed every attempt.`],
      }),
    );
    if (issue !== null && !reopen) {
      if (!dashboardChanged(issue.body, body)) {
        log.debug('dashboard unchanged');
        return 'unchanged';
      }
      await forge.editDashboard(issue.number, body);
      log.info('dashboard updated');
      return 'edited';
    }
    const created = await forge.createDashboard(settings.title, body, settings.label);
    logger.info({ dashboard: created.number, url: created.url }, 'opened the dashboard issue');
    return 'created';
  } catch (error) {
    log.warn({ err: describeError(error, options.redact) }, 'could not write the dashboard issue');
    return 'failed';
  }
}
