import { inlineCode } from '../report/markdown-text.js';
import { percent } from './funnel-lines.js';
import { renderXyChart } from './mermaid-xychart.js';
import { renderFunnelSection } from './render-funnel-section.js';
import type { Calibration, CalibrationBucket, StatsReport } from './stats-types.js';
import { suggestionText } from './suggestion-text.js';

/** `scrum-apply stats --markdown`: the funnel section, then the calibration, readable on their own. */
export function renderStatsMarkdown(report: StatsReport): string {
  return [renderFunnelSection(report, { heading: '## Trust funnel: scrum-apply stats' }), renderCalibration(report.calibration)].join('\n');
}

function renderCalibration(calibration: Calibration): string {
  const out = [
    '### Calibration: which confidence earns trust',
    '',
    `Decided PRs merged as proposed, per confidence bucket: the review’s ${inlineCode('confidence_avg')}, the weakest applied patch’s confidence, and the lower of the two (what ${inlineCode('minConfidence')} gates on). A bucket needs ${calibration.minDecidedPerBucket} decided PRs to count.`,
    '',
  ];
  const labels = [...new Set([...calibration.byReview, ...calibration.byPatch, ...calibration.byEffective].map((b) => b.low))].sort((a, b) => b - a);
  if (labels.length === 0) {
    out.push('No PRs yet.', '', `**${suggestionText(calibration, inlineCode)}**`, '');
    return out.join('\n');
  }
  const at = (buckets: CalibrationBucket[], low: number) => buckets.find((b) => b.low === low);
  out.push('| confidence | review: decided | precision | patch: decided | precision | lower: decided | precision |', '|---|--:|--:|--:|--:|--:|--:|');
  for (const low of labels) {
    const label = (at(calibration.byEffective, low) ?? at(calibration.byReview, low) ?? at(calibration.byPatch, low))?.label ?? String(low);
    const cells = [calibration.byReview, calibration.byPatch, calibration.byEffective].flatMap((buckets) => bucketCells(at(buckets, low)));
    out.push(`| ${label} | ${cells.join(' | ')} |`);
  }
  out.push('', `**${suggestionText(calibration, inlineCode)}**`, '');
  const charted = calibration.byEffective.filter((b) => b.precision !== null);
  if (charted.length > 0) {
    out.push(
      renderXyChart({
        title: `Merged as proposed by confidence (target ${percent(calibration.targetPrecision)})`,
        categories: charted.map((b) => b.label),
        yLabel: 'precision (%)',
        yMax: 100,
        bars: charted.map((b) => (b.precision ?? 0) * 100),
        line: charted.map(() => calibration.targetPrecision * 100),
      }),
      '',
    );
  }
  return out.join('\n');
}

function bucketCells(bucket: CalibrationBucket | undefined): [string, string] {
  if (bucket === undefined) return ['0', '–'];
  return [String(bucket.decided), bucket.precision === null ? '–' : `${percent(bucket.precision)}${bucket.enoughData ? '' : ' (few)'}`];
}
