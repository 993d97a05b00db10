import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { z } from 'zod';
import { checkReason } from './audit-row.js';
import { inlineCode, tableCell } from './markdown-text.js';
import type { FileResult, RunReport } from './run-report.js';

/**
 * The dashboard issue: every selected file's latest state in one place, with task-list boxes a
 * maintainer ticks to act. What the bot needs between runs lives in the body itself (a hidden
 * marker with the state), so a stateless runner keeps history: the next body is this run's
 * results merged into the state the previous body recorded.
 */

/** Where a file stands, one section each. */
export type DashboardSection = 'open' | 'red' | 'rejected' | 'declined' | 'waiting';

const Entry = z.object({
  section: z.enum(['open', 'red', 'rejected', 'declined', 'waiting']),
  /** What the section shows: the PR, the first compiler error, the rejection reasons, why it waits. */
  detail: z.string(),
  pr: z.object({ number: z.number().int(), url: z.string() }).nullable(),
  confidence: z.number().nullable(),
  /** When this state was reached (ISO time). */
  since: z.string(),
  /**
   * The input fingerprint (pipeline/input-fingerprint.ts) this outcome was reached with: a red,
   * all-rejected or no-patches file with the same inputs is not sent to the model again.
   */
  input: z.string().optional(),
});
export type DashboardEntry = z.infer<typeof Entry>;

export const DashboardState = z.object({
  v: z.literal(1),
  files: z.record(z.string(), Entry),
  notEligible: z.record(z.string(), z.number().int().nonnegative()),
  lastRun: z
    .object({ at: z.string(), runId: z.string(), trigger: z.string(), actor: z.string().nullable(), baseSha: z.string(), durationMs: z.number(), model: z.string(), url: z.string().nullable() })
    .nullable(),
});
export type DashboardState = z.infer<typeof DashboardState>;

export const EMPTY_DASHBOARD: DashboardState = { v: 1, files: {}, notEligible: {}, lastRun: null };

/** What a ticked box asks for. */
export type DashboardAction = { type: 'rebuild' | 'retry' | 'allow'; file: string } | { type: 'run-now' } | { type: 'retry-red' };

/**
 * The section of each outcome of an applied run with a forge. A file whose obsolete PR the run
 * closed leaves the dashboard; the dry-run and forge-less outcomes never reach it.
 */
const SECTION_OF: Partial<Record<FileResult['action'], DashboardSection>> = {
  pr_opened: 'open',
  pr_updated: 'open',
  pr_unchanged: 'open',
  skipped_human_edited: 'open',
  build_red_reverted: 'red',
  all_rejected: 'rejected',
  no_patches: 'rejected',
  skipped_too_large: 'rejected',
  error: 'rejected',
  skipped_closed_pr: 'declined',
  skipped_stopped: 'declined',
  skipped_open_pr_limit: 'waiting',
  skipped_pr_hourly_limit: 'waiting',
};

/** Outcomes not bought again with the same inputs (the failure memory). */
export const KNOWN_FAILURES: ReadonlySet<FileResult['action']> = new Set(['build_red_reverted', 'all_rejected', 'no_patches']);

/** The previous state with this run's results in it. Files this run did not touch keep their entry. */
export function mergeDashboard(previous: DashboardState, report: RunReport, run: { at: string; trigger: string; actor: string | null; model: string; url: string | null }): DashboardState {
  const files = { ...previous.files };
  for (const result of report.results) {
    // A known failure keeps its entry as it was: the earlier reason, date and inputs.
    if (result.action === 'skipped_known_failure') continue;
    if (result.action === 'pr_closed_obsolete') delete files[result.file];
    const section = SECTION_OF[result.action];
    if (section === undefined) continue;
    const before = files[result.file];
    const detail = detailOf(result, before);
    files[result.file] = {
      section,
      detail,
      pr: result.pr,
      confidence: result.row.review.confidence_avg,
      since: before && before.section === section && before.detail === detail ? before.since : run.at,
      ...(result.input !== undefined && KNOWN_FAILURES.has(result.action) ? { input: result.input } : {}),
    };
  }
  for (const waiting of report.notProcessed) {
    if (files[waiting.file]?.section === 'open') continue;
    files[waiting.file] = { section: 'waiting', detail: waiting.reason, pr: null, confidence: null, since: files[waiting.file]?.since ?? run.at };
  }
  const notEligible: Record<string, number> = {};
  for (const skipped of report.skipped) {
    // No longer eligible: counted under "Not eligible", no longer listed with its old state.
    delete files[skipped.file];
    const kind = notEligibleKind(skipped.reason);
    notEligible[kind] = (notEligible[kind] ?? 0) + 1;
  }
  return {
    v: 1,
    files,
    notEligible,
    lastRun: { at: run.at, runId: report.runId, trigger: run.trigger, actor: run.actor, baseSha: report.baseSha, durationMs: report.durationMs, model: run.model, url: run.url },
  };
}

/** What a file's section shows: the check of an open PR, the first compiler error, the reasons. */
function detailOf(result: FileResult, before: DashboardEntry | undefined): string {
  const check = result.row.check;
  if (result.action === 'build_red_reverted') return check === null ? (result.reason ?? 'the check failed') : checkReason(check);
  if (result.action === 'all_rejected') return [...new Set(result.row.patches_rejected.map((p) => p.reason))].join('; ');
  if (result.action === 'error') return `failed: ${result.row.error ?? result.reason ?? 'unknown error'}`;
  if (SECTION_OF[result.action] === 'open' && result.action !== 'skipped_human_edited') {
    if (check !== null) return check.green ? 'check green' : checkReason(check);
    // Unchanged: this run did not check it again; what the last check said still holds.
    return before?.section === 'open' && before.detail !== '' ? before.detail : 'check green';
  }
  return result.reason ?? '';
}

/** Not-eligible reasons counted by kind: tier, confidence, denied path, untracked, no review, other. */
export function notEligibleKind(reason: string): string {
  if (reason.startsWith('tier ')) return 'tier excluded';
  if (reason.startsWith('confidence')) return 'confidence below the minimum';
  if (reason.startsWith('not tracked')) return 'not tracked at the base';
  if (reason === 'no review for this file') return 'no review';
  if (/^(is too large|is not UTF-8)/u.test(reason)) return 'not a text file the bot edits';
  if (reason.startsWith('denied by')) return 'denied path';
  if (reason.startsWith('path ')) return 'unsafe path';
  return 'other';
}

const MARKER = /<!-- scrum-apply:dashboard ([A-Za-z0-9+/]+={0,2}) -->/g;
export const DASHBOARD_MARKER = '<!-- scrum-apply:dashboard';
/** The forges' body limit is 65,536; the state takes at most this much of it. */
const MAX_STATE_CHARS = 20_000;

/** The state a body recorded, or the empty state for a body that is not ours (or was mangled). */
export function parseDashboardState(body: string): DashboardState {
  const encoded = [...body.matchAll(MARKER)].at(-1)?.[1];
  if (encoded === undefined) return EMPTY_DASHBOARD;
  try {
    const parsed = DashboardState.safeParse(JSON.parse(inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8')));
    return parsed.success ? parsed.data : EMPTY_DASHBOARD;
  } catch {
    // Not deflated JSON: a person edited the marker. Start over rather than trust it.
    return EMPTY_DASHBOARD;
  }
}

const BOX = /^- \[([ xX])\] <!-- scrum-apply:(rebuild|retry|allow|run-now|retry-red)(?: (\S+))? -->/gmu;

/** The boxes ticked in a body: each task-list line carries its action and file in a hidden comment. */
export function tickedBoxes(body: string): DashboardAction[] {
  const ticked: DashboardAction[] = [];
  for (const m of body.matchAll(BOX)) {
    if (m[1] === ' ') continue;
    const kind = m[2];
    if (kind === 'run-now' || kind === 'retry-red') ticked.push({ type: kind });
    else if ((kind === 'rebuild' || kind === 'retry' || kind === 'allow') && m[3] !== undefined) ticked.push({ type: kind, file: decodeURIComponent(m[3]) });
  }
  return ticked;
}

/** A task-list box on its own line: the action and the file's path in a hidden comment, then what a person reads. */
function box(action: string, file: string | null, label: string): string {
  return `- [ ] <!-- scrum-apply:${action}${file === null ? '' : ` ${encodeURIComponent(file)}`} --> ${label}`;
}

const TITLES: Record<DashboardSection, string> = {
  open: 'Open PRs',
  red: 'Red: the check failed',
  rejected: 'All patches rejected, or no patches',
  declined: 'Declined: PRs closed by a person',
  waiting: 'Waiting',
};

/** Sections in the order a maintainer needs them; shortening starts from the last. */
const ORDER: DashboardSection[] = ['open', 'red', 'rejected', 'declined', 'waiting'];

export interface DashboardRenderOptions {
  maxLength: number;
  /** The "Run scrum-apply now" box: where something listens for it (the App, the Gitea server). */
  runBox: boolean;
  /** A short trust-funnel section (markdown); the first thing left out when the body is too long. */
  funnel?: string;
  /** One-line notes under the last run (the dead-letter count). */
  notes?: string[];
}

const FUNNEL_START = '<!-- scrum-apply:funnel -->';
const FUNNEL_END = '<!-- /scrum-apply:funnel -->';

/**
 * The dashboard's body, at most `maxLength` characters. When too long, the funnel goes first,
 * then sections lose items from their end ("… and N more"), the least useful section first
 * (waiting, then declined, …); the run box and the state marker always stay.
 */
export function renderDashboard(state: DashboardState, options: DashboardRenderOptions): string {
  const meta = stateMarker(state);
  const head = ['This issue lists what scrum-apply did with every file it selected. Tick a box to act; the next run clears it.'];
  if (options.runBox) head.push('', box('run-now', null, 'Run scrum-apply now'));
  const items = ORDER.map((section) => sectionItems(state, section));
  const shown = items.map((list) => list.length);
  let funnel = options.funnel === undefined ? [] : ['', FUNNEL_START, options.funnel.trim(), FUNNEL_END];
  const tail = () => [...notEligibleLines(state), ...funnel, ...lastRunLines(state), ...(options.notes ?? []).map((note) => `\n${note}`), '', meta];
  const render = () => [...head, ...ORDER.flatMap((section, i) => sectionLines(section, items[i] ?? [], shown[i] ?? 0)), ...tail()].join('\n');
  let body = render();
  if (body.length > options.maxLength && funnel.length > 0) {
    funnel = [];
    body = render();
  }
  for (let i = ORDER.length - 1; i >= 0 && body.length > options.maxLength; ) {
    const list = items[i] ?? [];
    if ((shown[i] ?? 0) === 0) {
      i -= 1;
      continue;
    }
    // Drop enough items from this section's end to cover the overflow (plus its "… and N more").
    let over = body.length - options.maxLength + 40;
    while (over > 0 && (shown[i] ?? 0) > 0) {
      shown[i] = (shown[i] ?? 0) - 1;
      over -= (list[shown[i] ?? 0]?.length ?? 0) + 1;
    }
    body = render();
  }
  return body;
}

/**
 * The state as a hidden marker: JSON, deflated, base64. Waiting files are left out when the
 * marker would take more than a third of the body (the next run lists them again anyway).
 */
function stateMarker(state: DashboardState): string {
  const encode = (value: DashboardState) => `${DASHBOARD_MARKER} ${deflateRawSync(JSON.stringify(value)).toString('base64')} -->`;
  const full = encode(state);
  if (full.length <= MAX_STATE_CHARS) return full;
  return encode({ ...state, files: Object.fromEntries(Object.entries(state.files).filter(([, entry]) => entry.section !== 'waiting')) });
}

function sectionItems(state: DashboardState, section: DashboardSection): string[] {
  return Object.entries(state.files)
    .filter(([, entry]) => entry.section === section)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([file, entry]) => {
      const pr = entry.pr ? ` — [#${entry.pr.number}](${entry.pr.url})` : '';
      const confidence = section === 'open' && entry.confidence !== null ? ` · confidence ${entry.confidence}` : '';
      const detail = entry.detail ? (section === 'open' ? ` · ${tableCell(entry.detail, 200)}` : `: ${tableCell(entry.detail, 200)}`) : '';
      const what = `${inlineCode(file)}${pr}${confidence}${detail} (since ${entry.since.slice(0, 10)})`;
      if (section === 'open') return box('rebuild', file, `rebuild ${what}`);
      if (section === 'red' || section === 'rejected') return box('retry', file, `retry ${what}`);
      if (section === 'declined') return box('allow', file, `allow again ${what}`);
      return `- ${what}`;
    });
}

function sectionLines(section: DashboardSection, items: string[], shown: number): string[] {
  if (items.length === 0) return [];
  const lines = ['', `### ${TITLES[section]} (${items.length})`, '', ...items.slice(0, shown)];
  if (shown < items.length) lines.push(`- … and ${items.length - shown} more`);
  if (section === 'red') lines.push(box('retry-red', null, 'Retry all red'));
  return lines;
}

function notEligibleLines(state: DashboardState): string[] {
  const kinds = Object.entries(state.notEligible).sort(([, a], [, b]) => b - a);
  if (kinds.length === 0) return [];
  const count = kinds.reduce((sum, [, n]) => sum + n, 0);
  return ['', `<details><summary>Not eligible (${count})</summary>`, '', ...kinds.map(([kind, n]) => `- ${tableCell(kind, 100)}: ${n}`), '', '</details>'];
}

function lastRunLines(state: DashboardState): string[] {
  const run = state.lastRun;
  if (run === null) return [];
  const link = run.url ? ` — [workflow run](${run.url})` : '';
  return ['', `Last run: ${run.at} (${run.trigger}${run.actor ? ` by ${inlineCode(run.actor)}` : ''}) on ${run.baseSha.slice(0, 12)}, ${Math.round(run.durationMs / 1000)} s, model ${inlineCode(run.model)}${link}`];
}

/**
 * Whether a new body says anything the current one does not, the last run's time and figures
 * aside: an unchanged run then writes nothing.
 */
export function dashboardChanged(current: string, next: string): boolean {
  const visible = (body: string) =>
    body
      .replace(/^Last run:.*$/mu, '')
      .replace(MARKER, '')
      .replace(new RegExp(`${FUNNEL_START}[\\s\\S]*?${FUNNEL_END}`, 'u'), '');
  const state = (body: string) => JSON.stringify({ ...parseDashboardState(body), lastRun: null });
  return visible(current) !== visible(next) || state(current) !== state(next);
}
