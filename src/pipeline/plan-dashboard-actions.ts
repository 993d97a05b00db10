import type { DashboardAction, DashboardEntry } from '../report/dashboard.js';

/** What the dashboard brings to a run: what it remembered of each file, and the boxes a person ticked. */
export interface DashboardInputs {
  /** Each file's entry as the dashboard recorded it when the run started (the failure memory). */
  memory: Readonly<Record<string, DashboardEntry>>;
  /** Ticked boxes (and what a person asked for otherwise: `/scrum-apply <path>` is `retry` for it). */
  actions: readonly DashboardAction[];
}

/** What the ticked boxes ask of one file. */
export interface FileDirectives {
  /** Re-ask the model, re-check and push even when the inputs are unchanged (its PR's rebuild box). */
  rebuild: boolean;
  /** Ignore the failure memory (its retry box, "retry all red", a rebuild). */
  retry: boolean;
  /** Lift the declined block: the file may be proposed again for the same review (its allow box). */
  allow: boolean;
}

export interface DashboardPlan {
  /**
   * The files the actions limit the run to (with the run's own `only`); null: no limit (no
   * action, or "run now"). Empty: the actions chose nothing (e.g. "retry all red" with no red file).
   */
  only: string[] | null;
  directives(file: string): FileDirectives;
  /** Why a file is not sent to the model again (the same inputs failed before), or null. */
  knownFailure(file: string, input: string): string | null;
}

const NONE: FileDirectives = { rebuild: false, retry: false, allow: false };

/**
 * The dashboard's inputs as a run plan. Outcomes remembered as red, all-rejected or no-patches
 * with the same input fingerprint are known failures unless a box (or `force`) asks again.
 */
export function planDashboardActions(inputs: DashboardInputs | undefined, run: { only: readonly string[]; force: boolean }): DashboardPlan {
  const memory = inputs?.memory ?? {};
  const actions = inputs?.actions ?? [];
  const retryRed = actions.some((a) => a.type === 'retry-red');
  const red = Object.entries(memory)
    .filter(([, entry]) => entry.section === 'red')
    .map(([file]) => file);
  const named = (type: 'rebuild' | 'retry' | 'allow') => new Set(actions.flatMap((a) => (a.type === type ? [a.file] : [])));
  const rebuild = named('rebuild');
  const retry = new Set([...named('retry'), ...rebuild, ...(retryRed ? red : [])]);
  const allow = named('allow');

  let only: string[] | null = null;
  if (actions.length > 0 && !actions.some((a) => a.type === 'run-now')) {
    only = [...new Set([...run.only, ...rebuild, ...retry, ...allow])];
  } else if (run.only.length > 0) {
    only = [...run.only];
  }

  return {
    only,
    directives: (file) => (rebuild.has(file) || retry.has(file) || allow.has(file) ? { rebuild: rebuild.has(file), retry: retry.has(file), allow: allow.has(file) } : NONE),
    knownFailure(file, input) {
      if (run.force || retry.has(file)) return null;
      const entry = memory[file];
      if (entry === undefined || entry.input !== input || (entry.section !== 'red' && entry.section !== 'rejected')) return null;
      const what = entry.section === 'red' ? 'the check was red' : 'no patch passed';
      return `${what} on ${entry.since.slice(0, 10)} with these same inputs${entry.detail ? ` (${entry.detail})` : ''}; tick its retry box to ask again`;
    },
  };
}
