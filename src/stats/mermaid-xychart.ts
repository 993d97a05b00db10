export interface XyChart {
  title: string;
  /** The x-axis categories, one per bar. */
  categories: string[];
  yLabel: string;
  yMax: number;
  bars: number[];
  /** A line over the bars (a target), one value per category. */
  line?: number[];
}

/**
 * A Mermaid `xychart-beta` block: GitHub and Gitea render it in issues, PR comments and
 * READMEs, so the chart needs no image hosting. Text goes inside double quotes, which Mermaid
 * strings cannot escape: quotes, backslashes, backticks, controls and line breaks are dropped
 * from labels (group names come from the review log).
 */
export function renderXyChart(chart: XyChart): string {
  const lines = [
    '```mermaid',
    'xychart-beta',
    `    title ${quoted(chart.title)}`,
    `    x-axis [${chart.categories.map(quoted).join(', ')}]`,
    `    y-axis ${quoted(chart.yLabel)} 0 --> ${number(Math.max(1, chart.yMax))}`,
    `    bar [${chart.bars.map(number).join(', ')}]`,
  ];
  if (chart.line !== undefined) lines.push(`    line [${chart.line.map(number).join(', ')}]`);
  lines.push('```');
  return lines.join('\n');
}

function quoted(text: string): string {
  const clean = text
    .replace(/[\p{C}\u2028\u2029"\\`]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 60);
  return `"${clean === '' ? '-' : clean}"`;
}

/** Plain decimal: no exponent, at most one decimal place. */
function number(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 10) / 10) : '0';
}
