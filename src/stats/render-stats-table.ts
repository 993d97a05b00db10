import { terminalText } from '../report/terminal-text.js';
import { funnelLines, percent, provenance } from './funnel-lines.js';
import type { CalibrationBucket, StatsReport } from './stats-types.js';
import { suggestionText } from './suggestion-text.js';

/** `scrum-apply stats` on a terminal: the funnel (stages down, groups across), then the calibration. */
export function renderStatsTable(report: StatsReport): string {
  const funnels = [report.overall, ...report.groups];
  const header = ['', ...funnels.map((f) => (f === report.overall ? 'all' : terminalText(f.group).slice(0, 30)))];
  const rows = funnelLines(report).map((line) => [line.outcome ? `  ${line.label}` : line.label, ...funnels.map(line.cell)]);
  const out = [`scrum-apply stats — ${terminalText(provenance(report))}`, '', ...aligned([header, ...rows])];

  const { calibration } = report;
  out.push('', `Calibration — decided PRs merged as proposed, by confidence (target ${percent(calibration.targetPrecision)}; “few”: under ${calibration.minDecidedPerBucket} decided)`);
  const lows = [...new Set([...calibration.byReview, ...calibration.byPatch, ...calibration.byEffective].map((b) => b.low))].sort((a, b) => b - a);
  if (lows.length === 0) out.push('  no PRs yet');
  else {
    const at = (buckets: CalibrationBucket[], low: number) => buckets.find((b) => b.low === low);
    const table = [['confidence', 'review', 'patch', 'lower of the two']];
    for (const low of lows) {
      const label = (at(calibration.byEffective, low) ?? at(calibration.byReview, low) ?? at(calibration.byPatch, low))?.label ?? String(low);
      table.push([label, cell(at(calibration.byReview, low)), cell(at(calibration.byPatch, low)), cell(at(calibration.byEffective, low))]);
    }
    out.push(...aligned(table).map((line) => `  ${line}`));
  }
  out.push('', suggestionText(calibration));
  for (const log of report.input.logs) {
    for (const problem of log.problems.slice(0, 5)) out.push(`${terminalText(log.path)}: skipped ${terminalText(problem)}`);
  }
  return `${out.join('\n')}\n`;
}

function cell(bucket: CalibrationBucket | undefined): string {
  if (bucket === undefined || bucket.precision === null) return '–';
  return `${percent(bucket.precision)} of ${bucket.decided}${bucket.enoughData ? '' : ' (few)'}`;
}

/** The first column left-aligned, the others right-aligned. */
function aligned(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((text, i) => (widths[i] = Math.max(widths[i] ?? 0, text.length)));
  return rows.map((row) =>
    row
      .map((text, i) => (i === 0 ? text.padEnd(widths[i] ?? 0) : text.padStart(widths[i] ?? 0)))
      .join('   ')
      .trimEnd(),
  );
}
