import { describe, expect, it } from 'vitest';
import { runFigures, unionMs, type BenchReport, type RunFigures } from '../../tools/bench/bench-figures.js';
import { renderBenchTable, type ModeFigures } from '../../tools/bench/bench-table.js';

describe('bench figures', () => {
  it('unionMs counts overlapping spans once', () => {
    expect(unionMs([])).toBe(0);
    expect(unionMs([{ startMs: 0, endMs: 10 }])).toBe(10);
    expect(unionMs([{ startMs: 5, endMs: 15 }, { startMs: 0, endMs: 10 }, { startMs: 12, endMs: 14 }, { startMs: 20, endMs: 25 }])).toBe(20);
  });

  it('overhead per file is the wall time with neither an LLM request nor a check running, per file', () => {
    const span = (startMs: number, endMs: number) => ({ startMs, endMs });
    const report: BenchReport = {
      durationMs: 900,
      results: [
        { file: 'a', action: 'pr_opened', timing: { file: span(100, 900), llm: span(100, 500), check: span(550, 800) } },
        { file: 'b', action: 'no_patches', timing: { file: span(100, 700), llm: span(300, 700), check: null } },
      ],
    };
    const figures = runFigures({ code: 0, wallMs: 1000, maxRssKb: 102_400, cpuMs: 300, childrenCpuMs: 900 }, report);
    // Busy: LLM 100..700 ∪ check 550..800 = 100..800, 700 ms; idle 300 of 1000 ms, over 2 files.
    expect(figures.overheadPerFileMs).toBe(150);
    // 100 ms before runPipeline started, and the first request 100 ms into it.
    expect(figures.startupMs).toBe(200);
    expect(figures.llmMs).toBe(600);
    expect(figures.checkMs).toBe(250);
    expect(figures.maxRssMb).toBe(100);
    expect(figures.childrenCpuPerFileMs).toBe(450);
    expect(figures.actions).toEqual(new Map([['pr_opened', 1], ['no_patches', 1]]));
  });

  it('the table pairs repetitions: each speed-up compares runs made back to back, and the median of those is shown', () => {
    const run = (wallMs: number): RunFigures => ({
      files: 20, wallMs, startupMs: 1000, llmMs: 5000, checkMs: 5000, overheadPerFileMs: 70, checks: 20, meanCheckMs: 300,
      cpuPerFileMs: 150, childrenCpuPerFileMs: 90, maxRssMb: 100, actions: new Map([['pr_opened', 20]]),
    });
    const mode = (wallMs: number): ModeFigures => ({ first: run(wallMs), second: run(wallMs), writesFirst: 49, writesSecond: 0, prsOpened: 20, prsUnchanged: 20 });
    // The machine slowed down between repetitions: unpaired medians (30 s / 8 s) would say 3.8×.
    const table = renderBenchTable({
      modes: [
        { label: '--concurrency 1', figures: mode(30_000), runOneWalls: [24_000, 30_000, 36_000], maxInFlight: 1 },
        { label: 'default (4)', figures: mode(8_000), runOneWalls: [6_000, 9_000, 8_000], maxInFlight: 4 },
      ],
      selection: { rows: 1_000_000, files: 10_000, eligible: 1_000, malformed: 0, bytes: 400 * 1024 * 1024, ms: 2500, maxRssKb: 130 * 1024 },
      latencyMs: 1000,
      cpus: 2,
      load: [1, 1],
    });
    const line = (label: string) => table.split('\n').filter((l) => l.trimStart().startsWith(label));
    expect(line('speed-up over the first column, median')[0]).toMatch(/1\.0×\s+4\.0×\s+≥ 4× \(default\)$/);
    // 24/6, 30/9, 36/8 in the order they ran.
    expect(line('every repetition')[1]).toMatch(/1\.0× \/ 1\.0× \/ 1\.0×\s+4\.0× \/ 3\.3× \/ 4\.5×$/);
    expect(line('every repetition')[0]).toMatch(/24\.0 \/ 30\.0 \/ 36\.0\s+6\.0 \/ 9\.0 \/ 8\.0$/);
  });
});
