import type { RepoConfig } from '../config/config-schema.js';
import type { DashboardForge, LabelSpec } from '../forge/types.js';

/** The dashboard issue carries the bot's root label, as its PRs do. */
export const DASHBOARD_LABEL: LabelSpec = { name: 'scrum-apply', color: '5319e7', description: 'Opened by scrum-apply: mechanical fixes from code review' };

/** What decides whether and how a run writes the dashboard. */
export interface DashboardSettings {
  /** `dashboard` in the config: false stops writing (and records that in a closed dashboard). */
  enabled: boolean;
  /** `dashboardTitle`: used when the issue is created; the issue is found again by its marker. */
  title: string;
  label: LabelSpec;
  /** The "Run scrum-apply now" box: shown where something acts on it (the App, the Gitea server). */
  runBox: boolean;
}

export function dashboardSettings(config: Pick<RepoConfig, 'dashboard' | 'dashboardTitle'>, where: { server: boolean }): DashboardSettings {
  return { enabled: config.dashboard, title: config.dashboardTitle, label: DASHBOARD_LABEL, runBox: where.server };
}

/** Whether this forge can keep a dashboard (both real forges can; test doubles may not). */
export function isDashboardForge(forge: object | null): forge is DashboardForge {
  if (forge === null) return false;
  const candidate: Partial<Record<keyof DashboardForge, unknown>> = forge;
  return typeof candidate.findDashboard === 'function' && typeof candidate.createDashboard === 'function' && typeof candidate.editDashboard === 'function';
}

/** The workflow run a CLI run belongs to (GitHub Actions, Gitea Actions), when there is one. */
export function workflowRunUrl(env: NodeJS.ProcessEnv): string | null {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env;
  if (!server || !repository || !runId || !/^\d+$/u.test(runId)) return null;
  return `${server.replace(/\/+$/u, '')}/${repository}/actions/runs/${runId}`;
}
