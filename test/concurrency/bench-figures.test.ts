import { describe, expect, it } from 'vitest';
import { runFigures, unionMs, type BenchReport } from '../../src/bench/bench-figures.js';

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
});
