import { tableCell } from '../report/markdown-text.js';
import { funnelLines, provenance } from './funnel-lines.js';
import { renderXyChart } from './mermaid-xychart.js';
import type { Funnel, StatsReport } from './stats-types.js';

export interface FunnelSectionOptions {
  /** The heading line, e.g. `## Trust funnel`. */
  heading?: string;
  /** A column per group (`--by`); false: the overall funnel alone (the short form, for a dashboard). */
  groups?: boolean;
}

const EXPLAINED =
  'The first four stages count reviews (each file’s review once, at the furthest stage it reached); from “PR opened” on they count PRs. ' +
  'Merge rate = merged ÷ decided (merged + closed unmerged; open PRs are not decided yet); precision = merged as proposed ÷ decided, leaving out merges whose edits the log cannot tell.';

/**
 * The funnel as markdown: a table (stages down, groups across) and a Mermaid chart of the
 * overall funnel. Stands on its own, so other reports can embed it.
 */
export function renderFunnelSection(report: StatsReport, options: FunnelSectionOptions = {}): string {
  const funnels = options.groups === false ? [report.overall] : [report.overall, ...report.groups];
  const header = ['stage', ...funnels.map((f) => (f === report.overall ? 'all' : tableCell(f.group, 60)))];
  const rows = funnelLines(report).map((line) => [line.outcome ? `  ↳ ${line.label}` : line.label, ...funnels.map(line.cell)]);
  const table = [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 ? '---' : '--:')).join('|')}|`,
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
  ];
  return [
    options.heading ?? '## Trust funnel',
    '',
    `_${tableCell(provenance(report), 500)}_`,
    '',
    ...table,
    '',
    funnelChart(report.overall),
    '',
    EXPLAINED,
    '',
  ].join('\n');
}

function funnelChart(funnel: Funnel): string {
  const categories = ['selected', 'answered', 'passed gates', 'green', 'PR opened'];
  const bars = [funnel.selected, funnel.answered, funnel.passedGates, funnel.green, funnel.prsOpened];
  if (funnel.outcomes !== null) {
    const { merged_as_proposed: asProposed, merged_after_edits: afterEdits, merged_edits_unknown: unknown } = funnel.outcomes;
    categories.push('merged', 'as proposed');
    bars.push(asProposed + afterEdits + unknown, asProposed);
  }
  return renderXyChart({ title: 'Trust funnel', categories, yLabel: 'reviews, then PRs', yMax: Math.max(...bars), bars });
}
