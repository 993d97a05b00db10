import type { Funnel, StatsReport } from './stats-types.js';

/** One line of the funnel table: its label and, per funnel, what its cell shows. */
export interface FunnelLine {
  label: string;
  /** Indented under "PR opened": an outcome. */
  outcome: boolean;
  cell: (funnel: Funnel) => string;
}

/** The funnel's lines, shared by the terminal table and the markdown; outcomes only with a forge. */
export function funnelLines(report: StatsReport): FunnelLine[] {
  const stage = (label: string, count: (f: Funnel) => number, rate: (f: Funnel) => number | null): FunnelLine => ({
    label,
    outcome: false,
    cell: (f) => withRate(count(f), rate(f)),
  });
  const lines: FunnelLine[] = [
    stage('reviews selected', (f) => f.selected, () => null),
    stage('model answered with patches', (f) => f.answered, (f) => f.rates.answered),
    stage('patches passed the gates', (f) => f.passedGates, (f) => f.rates.passedGates),
    stage('check green', (f) => f.green, (f) => f.rates.green),
    stage('PR opened', (f) => f.prsOpened, (f) => f.rates.prOpened),
  ];
  const { outcomes } = report.overall;
  if (outcomes === null) return lines;
  const outcome = (label: string, count: (o: NonNullable<Funnel['outcomes']>) => number): FunnelLine => ({
    label,
    outcome: true,
    cell: (f) => (f.outcomes === null ? '' : withRate(count(f.outcomes), f.prsOpened === 0 ? null : count(f.outcomes) / f.prsOpened)),
  });
  lines.push(outcome('merged as proposed', (o) => o.merged_as_proposed), outcome('merged after edits', (o) => o.merged_after_edits));
  if (outcomes.merged_edits_unknown > 0) lines.push(outcome('merged, edits not recorded', (o) => o.merged_edits_unknown));
  lines.push(outcome('closed unmerged', (o) => o.closed_unmerged));
  if (outcomes.closed_obsolete > 0) lines.push(outcome('closed by the bot as obsolete', (o) => o.closed_obsolete));
  lines.push(outcome('still open', (o) => o.open));
  if (outcomes.unknown > 0) lines.push(outcome('unknown to the forge', (o) => o.unknown));
  lines.push(
    { label: 'merge rate (merged ÷ decided)', outcome: false, cell: (f) => fraction(f.mergeRate, merged(f), f.decided) },
    { label: 'precision (as proposed ÷ decided)', outcome: false, cell: (f) => fraction(f.precision, f.outcomes?.merged_as_proposed ?? 0, judged(f)) },
    { label: 'median time to decision', outcome: false, cell: (f) => duration(f.medianHoursToDecision) },
  );
  return lines;
}

function merged(f: Funnel): number {
  return f.outcomes === null ? 0 : f.outcomes.merged_as_proposed + f.outcomes.merged_after_edits + f.outcomes.merged_edits_unknown;
}

function judged(f: Funnel): number {
  return (f.decided ?? 0) - (f.outcomes?.merged_edits_unknown ?? 0);
}

export function percent(rate: number | null): string {
  return rate === null ? '–' : `${Math.round(rate * 100)} %`;
}

function withRate(count: number, rate: number | null): string {
  return rate === null ? String(count) : `${count} (${percent(rate)})`;
}

function fraction(rate: number | null, part: number, whole: number | null): string {
  return rate === null ? '–' : `${percent(rate)} (${part}/${whole ?? 0})`;
}

/** Hours as `5.5 h` under two days, else `2.3 d`. */
export function duration(hours: number | null): string {
  if (hours === null) return '–';
  return hours < 48 ? `${round1(hours)} h` : `${round1(hours / 24)} d`;
}

function round1(value: number): string {
  return (Math.round(value * 10) / 10).toFixed(1);
}

/** One sentence on where the numbers come from. */
export function provenance(report: StatsReport): string {
  const { input } = report;
  const parts = [`${input.rows.toLocaleString('en-US')} audit rows from ${input.logs.length} log${input.logs.length === 1 ? '' : 's'}`];
  if (report.since !== null) parts.push(`since ${report.since.slice(0, 10)} (${input.beforeSince.toLocaleString('en-US')} earlier rows left out)`);
  parts.push(report.prsListed === null ? 'no forge asked (--forge none)' : `${report.prsListed} bot PRs listed on ${report.forge}`);
  if (input.malformed > 0) parts.push(`${input.malformed} malformed line${input.malformed === 1 ? '' : 's'} skipped`);
  if (report.by !== null) parts.push(`by ${report.by}`);
  return parts.join(' · ');
}
