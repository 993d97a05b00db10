import { z } from 'zod';

/** What the benchmark reads of a `--json` run report (see RunReport and FileTiming). */
const SpanShape = z.object({ startMs: z.number(), endMs: z.number() });
export const BenchReport = z.object({
  durationMs: z.number(),
  results: z.array(
    z.object({
      file: z.string(),
      action: z.string(),
      timing: z.object({ file: SpanShape, llm: SpanShape.nullable(), check: SpanShape.nullable() }),
    }),
  ),
});
export type BenchReport = z.infer<typeof BenchReport>;
type Span = z.infer<typeof SpanShape>;

/** What a measured bot process wrote of itself as it exited (see measure-exit.ts). */
export const ChildRun = z.object({
  code: z.number(),
  wallMs: z.number(),
  maxRssKb: z.number(),
  cpuMs: z.number(),
  childrenCpuMs: z.number().nullable(),
});
export type ChildRun = z.infer<typeof ChildRun>;

export interface RunFigures {
  files: number;
  /** The bot process from start to exit (module loading included). */
  wallMs: number;
  /** From the process start to the first LLM request (start-up, review log, workspace, reading files). */
  startupMs: number;
  /** Time during which at least one LLM request was in flight. */
  llmMs: number;
  /** Time during which at least one check was running. */
  checkMs: number;
  /** Wall time with neither an LLM request nor a check running, per file. */
  overheadPerFileMs: number;
  checks: number;
  meanCheckMs: number;
  /** CPU time of the bot's own process (git and cargo excluded), per file. */
  cpuPerFileMs: number;
  /** CPU time of the processes it ran (git, bwrap, cargo, rustc), per file; null when unknown. */
  childrenCpuPerFileMs: number | null;
  maxRssMb: number;
  actions: Map<string, number>;
}

/** Total length covered by `spans` (overlaps counted once). */
export function unionMs(spans: readonly Span[]): number {
  const sorted = [...spans].sort((a, b) => a.startMs - b.startMs);
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const span of sorted) {
    if (span.endMs <= end) continue;
    total += span.endMs - Math.max(span.startMs, end);
    end = span.endMs;
  }
  return total;
}

export function runFigures(run: ChildRun, report: BenchReport): RunFigures {
  const llm = report.results.flatMap((r) => (r.timing.llm ? [r.timing.llm] : []));
  const checks = report.results.flatMap((r) => (r.timing.check ? [r.timing.check] : []));
  const files = Math.max(1, report.results.length);
  const actions = new Map<string, number>();
  for (const result of report.results) actions.set(result.action, (actions.get(result.action) ?? 0) + 1);
  return {
    files: report.results.length,
    wallMs: run.wallMs,
    startupMs: run.wallMs - report.durationMs + (llm.length === 0 ? report.durationMs : Math.min(...llm.map((s) => s.startMs))),
    llmMs: unionMs(llm),
    checkMs: unionMs(checks),
    overheadPerFileMs: (run.wallMs - unionMs([...llm, ...checks])) / files,
    checks: checks.length,
    meanCheckMs: checks.length === 0 ? 0 : checks.reduce((sum, s) => sum + s.endMs - s.startMs, 0) / checks.length,
    cpuPerFileMs: run.cpuMs / files,
    childrenCpuPerFileMs: run.childrenCpuMs === null ? null : run.childrenCpuMs / files,
    maxRssMb: run.maxRssKb / 1024,
    actions,
  };
}
