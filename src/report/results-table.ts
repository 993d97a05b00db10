import { checkReason } from './audit-row.js';
import type { FileResult, RunReport } from './run-report.js';
import { terminalText } from './terminal-text.js';

const OUTCOME_WORDS: Record<FileResult['action'], string> = {
  no_patches: 'no patches',
  all_rejected: 'all patches rejected',
  build_red_reverted: 'check red, discarded',
  committed: 'branch pushed',
  branch_unchanged: 'unchanged (already pushed)',
  dry_run_committed: 'green (dry run)',
  pr_opened: 'PR opened',
  pr_updated: 'PR updated',
  pr_unchanged: 'PR unchanged',
  skipped_closed_pr: 'skipped: PR was closed',
  skipped_human_edited: 'skipped: branch edited by a person',
  skipped_open_pr_limit: 'skipped: open PR limit',
  skipped_too_large: 'skipped: file too large',
  skipped_pr_hourly_limit: 'skipped: hourly PR limit',
  skipped_stopped: 'skipped: stop label',
  skipped_known_failure: 'skipped: failed before, inputs unchanged',
  pr_closed_obsolete: 'PR closed (obsolete)',
  error: 'error',
};

function detail(result: FileResult): string {
  if (result.action === 'build_red_reverted' && result.row.check) {
    return checkReason(result.row.check);
  }
  if (result.action === 'all_rejected') return result.row.patches_rejected.map((p) => p.reason).join('; ');
  return result.row.error ?? result.reason ?? '';
}

function headline(report: RunReport): string {
  const mode = report.dryRun ? 'dry run' : `applied (forge: ${report.forge})`;
  return `scrum-apply run ${report.runId} on ${report.baseBranch} @ ${report.baseSha.slice(0, 12)} — ${mode}, ${report.results.length} file(s) processed, ${report.skipped.length} not eligible, ${report.notProcessed.length > 0 ? `${report.notProcessed.length} left for a later run, ` : ''}${report.malformedLines} malformed review line(s)`;
}

/** The results as an aligned plain-text table for a terminal. */
export function renderResultsTable(report: RunReport): string {
  // Paths and reasons are untrusted: no raw control or bidi character reaches the terminal.
  const rows = report.results.map((r) => [r.file, OUTCOME_WORDS[r.action], r.pr?.url ?? r.branch ?? '', detail(r)].map(terminalText));
  const header = ['file', 'outcome', 'PR / branch', 'reason'];
  const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [terminalText(headline(report)), '', line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  if (rows.length === 0) out.push('(no file was processed)');
  if (report.notProcessed.length > 0) {
    out.push('', 'Not processed this run (eligible, for a later run):');
    for (const s of report.notProcessed.slice(0, 50)) out.push(`  ${terminalText(s.file)}: ${terminalText(s.reason)}`);
    if (report.notProcessed.length > 50) out.push(`  … and ${report.notProcessed.length - 50} more`);
  }
  if (report.skipped.length > 0) {
    out.push('', 'Not eligible:');
    for (const s of report.skipped.slice(0, 50)) out.push(`  ${terminalText(s.file)}: ${terminalText(s.reason)}`);
    if (report.skipped.length > 50) out.push(`  … and ${report.skipped.length - 50} more`);
  }
  for (const problem of report.problems) out.push(`review log: ${terminalText(problem)}`);
  return `${out.join('\n')}\n`;
}

function cell(text: string): string {
  return terminalText(text.replace(/[\r\n]+/g, ' ')).replace(/\|/g, '\\|').replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;')).replace(/@/g, '&#64;').slice(0, 300);
}

/** The results as markdown, for a reply comment or `$GITHUB_STEP_SUMMARY`. */
export function renderResultsMarkdown(report: RunReport): string {
  const out = [`**${cell(headline(report))}**`, ''];
  if (report.results.length === 0) {
    out.push('No file was processed.');
  } else {
    out.push('| file | outcome | PR | reason |', '|---|---|---|---|');
    for (const r of report.results) {
      const pr = r.pr ? `[#${r.pr.number}](${r.pr.url})` : r.branch ? `\`${cell(r.branch)}\`` : '';
      out.push(`| \`${cell(r.file)}\` | ${OUTCOME_WORDS[r.action]} | ${pr} | ${cell(detail(r))} |`);
    }
  }
  if (report.notProcessed.length > 0) {
    out.push('', `<details><summary>${report.notProcessed.length} eligible file(s) not processed this run</summary>`, '');
    for (const s of report.notProcessed.slice(0, 100)) out.push(`- \`${cell(s.file)}\`: ${cell(s.reason)}`);
    out.push('', '</details>');
  }
  if (report.skipped.length > 0) {
    out.push('', `<details><summary>${report.skipped.length} file(s) not eligible</summary>`, '');
    for (const s of report.skipped.slice(0, 100)) out.push(`- \`${cell(s.file)}\`: ${cell(s.reason)}`);
    out.push('', '</details>');
  }
  return `${out.join('\n')}\n`;
}
