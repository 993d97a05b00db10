import type { RunFigures } from './bench-figures.js';

export interface ModeFigures {
  /** The run that opens every PR. */
  first: RunFigures;
  /** The same run again: nothing changed, so every PR is left alone. */
  second: RunFigures;
  writesFirst: number;
  writesSecond: number;
  prsOpened: number;
  prsUnchanged: number;
}

export interface SelectionFigures {
  rows: number;
  files: number;
  eligible: number;
  malformed: number;
  bytes: number;
  ms: number;
  maxRssKb: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const milliseconds = (ms: number) => `${Math.round(ms)} ms`;
const megabytes = (mb: number) => `${Math.round(mb)} MB`;
const count = (n: number) => Math.round(n).toLocaleString('en-US');
const perPr = (writes: number, prs: number) => (prs === 0 ? 'n/a (no PRs)' : `${(writes / prs).toFixed(2)} (${writes}/${prs})`);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function actions(figures: RunFigures): string {
  return [...figures.actions].map(([action, n]) => `${n} ${action}`).join(', ');
}

/** The benchmark's figures as a plain-text table, with how to read them. */
export function renderBenchTable(input: {
  /** `runOneWalls`: run 1's wall time in every repetition; `figures` is the median one's. */
  modes: Array<{ label: string; figures: ModeFigures; runOneWalls: number[]; maxInFlight: number }>;
  selection: SelectionFigures;
  latencyMs: number;
  cpus: number;
  /** The machine's 1-minute load average before and after the runs. */
  load: [number, number];
}): string {
  const { modes, selection } = input;
  const lines: string[] = [];
  if (modes.length > 0) {
    const files = modes[0]?.figures.first.files ?? 0;
    const baseWalls = modes[0]?.runOneWalls ?? [];
    // Repetition i of every setting ran back to back: its speed-up compares those runs.
    const speedUps = (m: (typeof modes)[number]) => m.runOneWalls.map((ms, i) => (baseWalls[i] ?? 0) / ms);
    const rows: Array<[string, ...string[]]> = [
      ['', ...modes.map((m) => m.label), 'target'],
      ['wall time, run 1 (opens the PRs)', ...modes.map((m) => seconds(m.figures.first.wallMs)), ''],
      ['  every repetition', ...modes.map((m) => m.runOneWalls.map((ms) => (ms / 1000).toFixed(1)).join(' / ')), ''],
      ['  speed-up over the first column, median', ...modes.map((m) => `${median(speedUps(m)).toFixed(1)}×`), '≥ 4× (default)'],
      ['  every repetition', ...modes.map((m) => speedUps(m).map((x) => `${x.toFixed(1)}×`).join(' / ')), ''],
      ['  time with an LLM request in flight', ...modes.map((m) => seconds(m.figures.first.llmMs)), ''],
      ['  time with a check running', ...modes.map((m) => seconds(m.figures.first.checkMs)), ''],
      ['  mean check (checks run)', ...modes.map((m) => `${milliseconds(m.figures.first.meanCheckMs)} (${m.figures.first.checks})`), ''],
      ['bot overhead per file', ...modes.map((m) => milliseconds(m.figures.first.overheadPerFileMs)), '≤ 100 ms (default)'],
      ['  of which start-up (to the first LLM request)', ...modes.map((m) => `${milliseconds(m.figures.first.startupMs / m.figures.first.files)} (${seconds(m.figures.first.startupMs)})`), ''],
      ['CPU per file: the bot / what it ran (*)', ...modes.map((m) => `${milliseconds(m.figures.first.cpuPerFileMs)} / ${m.figures.first.childrenCpuPerFileMs === null ? 'n/a' : milliseconds(m.figures.first.childrenCpuPerFileMs)}`), ''],
      ['API writes per new PR (run 1)', ...modes.map((m) => perPr(m.figures.writesFirst, m.figures.prsOpened)), '≤ 3'],
      ['API writes per unchanged PR (run 2)', ...modes.map((m) => perPr(m.figures.writesSecond, m.figures.prsUnchanged)), '0'],
      ['wall time, run 2 (all unchanged)', ...modes.map((m) => seconds(m.figures.second.wallMs)), ''],
      ['peak RSS of the bot (run 1 / run 2)', ...modes.map((m) => `${megabytes(m.figures.first.maxRssMb)} / ${megabytes(m.figures.second.maxRssMb)}`), ''],
      ['LLM requests in flight, at most', ...modes.map((m) => String(m.maxInFlight)), ''],
      ['outcomes, run 1', ...modes.map((m) => actions(m.figures.first)), ''],
      ['outcomes, run 2', ...modes.map((m) => actions(m.figures.second)), ''],
    ];
    lines.push(
      `scrum-apply benchmark: ${files} files (4 crates × 5 modules, cargo check --workspace), LLM stand-in answering after ${input.latencyMs} ms, ${input.cpus} CPUs`,
      '',
      ...table(rows),
      `(1-minute load average before / after the runs: ${input.load[0].toFixed(1)} / ${input.load[1].toFixed(1)})`,
      '',
    );
  }
  const rate = selection.rows / (selection.ms / 1000);
  lines.push(
    `selection from a ${count(selection.rows)}-row review log (${megabytes(selection.bytes / 1024 / 1024)}, ${count(selection.files)} distinct files, ${count(selection.eligible)} eligible)`,
    '',
    ...table([
      ['', 'measured', 'target'],
      ['rows per second', count(rate), '≥ 200,000'],
      ['time', seconds(selection.ms), ''],
      ['peak RSS of the process', megabytes(selection.maxRssKb / 1024), '< 200 MB'],
    ]),
    '',
    'How to read this:',
    ...(modes.length === 0
      ? []
      : [
          `- Each setting ran ${modes[0]?.runOneWalls.length ?? 0} time(s) on a fresh fixture, the settings taking turns; its column shows the`,
          '  repetition whose run 1 took the median wall time (all figures from that one), and run 1\'s wall time in',
          '  every repetition. A repetition\'s speed-up compares the two settings\' runs made back to back.',
        ]),
    '- Each bot run is a fresh process on a fresh clone with an empty scratch directory (cold worktree slots).',
    '- Bot overhead per file = (wall time of the bot process - time during which an LLM request or a check',
    '  was running) / files: what the bot adds beyond the model and the compiler, start-up included. At',
    '  --concurrency 1 nothing overlaps, so each file\'s push and PR requests (~0.1 s) count in full.',
    '- --concurrency 1 handles one file at a time (ask, check, publish, next), as the seed did; the default',
    '  keeps up to 4 LLM requests in flight and runs checks meanwhile on one worktree slot per CPU.',
    '- (*) CPU time of the processes the bot started and waited for; the sandboxed checks barely show in it',
    '  (their processes are reaped inside the sandbox), so read it for git and the other helpers.',
    '- API writes are counted by the local GitHub API: per new PR, create + labels (+ each label created',
    '  once per run, shared by all PRs); an unchanged PR must cost no write at all.',
    '',
  );
  return lines.join('\n');
}

function table(rows: Array<[string, ...string[]]>): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows.map((row) =>
    row
      .map((cell, i) => cell + ' '.repeat((widths[i] ?? 0) - [...cell].length))
      .join('  ')
      .trimEnd(),
  );
}
