import type { DashboardForge, DashboardIssue } from '../forge/types.js';
import type { Logger } from '../log/logger.js';
import { describeError, type Redactor } from '../log/redact.js';
import { DASHBOARD_MARKER, EMPTY_DASHBOARD, parseDashboardState, type DashboardState } from '../report/dashboard.js';
import type { DashboardSettings } from './dashboard-settings.js';

/** The dashboard as a run found it at its start. */
export interface DashboardRead {
  /** The bot's dashboard issue (open or closed), found by its marker; null when there is none. */
  issue: DashboardIssue | null;
  /** What its body recorded (the empty state without one). */
  state: DashboardState;
  /** The forge could not be asked: the run goes on, and writes no dashboard (it might open a second one). */
  failed: boolean;
}

/**
 * Read the dashboard once, at the start of a run. Never throws: a forge failure is logged at
 * warn and the run goes on without history.
 */
export async function readDashboard(forge: DashboardForge, settings: DashboardSettings, deps: { logger: Logger; redact: Redactor }): Promise<DashboardRead> {
  try {
    const issue = await forge.findDashboard(settings.label.name, DASHBOARD_MARKER);
    return { issue, state: issue === null ? EMPTY_DASHBOARD : parseDashboardState(issue.body), failed: false };
  } catch (error) {
    deps.logger.warn({ err: describeError(error, deps.redact) }, 'could not read the dashboard issue');
    return { issue: null, state: EMPTY_DASHBOARD, failed: true };
  }
}
