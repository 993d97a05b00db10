/**
 * `scrum-apply stats` at scale: writes an audit log of 1,000,000 rows (as a bot that has run
 * for a long time on a large repository leaves it), then measures, each in a fresh process:
 *   1. computeStats over it (by reviewer, offline): wall and CPU time, peak RSS of that process;
 *   2. the shipped bin, `scrum-apply stats --forge none --by reviewer --json`: wall time.
 * Targets (issue 18): ≤ 5 s and < 200 MB for the million rows. `npm run bench:stats` builds
 * and runs it. Usage: node .build/tools/bench/run-stats-bench.js [--rows N] [--keep]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../../src/log/logger.js';
import { computeStats } from '../../src/stats/compute-stats.js';
import { repoRoot } from '../repo-root.js';

const BIN = join(repoRoot(), 'dist', 'cli', 'scrum-apply.mjs');
const TARGET_MS = 5000;
const TARGET_RSS_MB = 200;

const REVIEWERS = ['kimi-k2:1t', 'glm-4.6', 'deepseek-v3.1:671b'];
const FILES = 20_000;
/** A file's review changes every this many runs; in between, runs find its PR unchanged. */
const RUNS_PER_REVIEW = 10;

/**
 * Row i: file i % FILES in run ⌊i / FILES⌋. A review's first run ends anywhere in the funnel
 * (a third open a PR); its later runs repeat the outcome (`pr_unchanged` for a PR).
 */
function row(i: number): Record<string, unknown> {
  const fileIndex = i % FILES;
  const run = Math.floor(i / FILES);
  const reviewIndex = Math.floor(run / RUNS_PER_REVIEW);
  const firstRun = run % RUNS_PER_REVIEW === 0;
  const file = `crates/c${fileIndex % 40}/src/m${fileIndex}.rs`;
  const fate = (fileIndex * 7 + reviewIndex * 3) % 9;
  const confidence = 88 + ((fileIndex + reviewIndex) % 13);
  const prNumber = 1 + reviewIndex * FILES + fileIndex;
  const action = ['no_patches', 'all_rejected', 'build_red_reverted', 'dry_run_committed', 'skipped_open_pr_limit', 'error'][fate] ?? (firstRun ? 'pr_opened' : 'pr_unchanged');
  const published = fate >= 6;
  const pastGates = fate >= 2 && fate !== 5;
  const green = pastGates && fate !== 2;
  const day = String(1 + (run % 28)).padStart(2, '0');
  return {
    ts: `2026-10-${day}T${String(run % 24).padStart(2, '0')}:00:00.000Z`,
    run_id: `run-${run}`,
    trigger: 'schedule',
    actor: null,
    file,
    action,
    dry_run: action === 'dry_run_committed',
    review: {
      model: REVIEWERS[(fileIndex + reviewIndex) % REVIEWERS.length],
      confidence_avg: confidence,
      confidence_min: 75,
      tier: 'auto',
      reviewed_at: `2026-09-${String(1 + (reviewIndex % 28)).padStart(2, '0')}T08:00:00Z`,
    },
    patch_model: 'qwen3-coder:480b',
    patches_applied: pastGates ? [{ rationale: 'replace the magic number with a named constant', confidence, lines: 2 }] : [],
    patches_rejected: fate === 1 ? [{ reason: 'old_string not found in the file', rationale: 'rename the helper', confidence: 91 }] : [],
    check: pastGates ? { command: 'cargo check --workspace', exit_code: green ? 0 : 101, duration_ms: 41_250, green } : null,
    branch: pastGates ? `scrum-apply/${file}` : null,
    head_sha: published && firstRun ? prNumber.toString(16).padStart(40, '0') : null,
    pr: published ? { number: prNumber, url: `https://github.com/acme/widgets/pull/${prNumber}` } : null,
    reason: fate === 0 ? 'the model proposed no patches' : null,
    error: action === 'error' ? 'GitHub API POST /repos/acme/widgets/pulls failed (502)' : null,
  };
}

async function writeLog(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  let batch: string[] = [];
  for (let i = 0; i < rows; i += 1) {
    batch.push(JSON.stringify(row(i)));
    if (batch.length === 5000 || i === rows - 1) {
      if (!out.write(`${batch.join('\n')}\n`)) await once(out, 'drain');
      batch = [];
    }
  }
  out.end();
  await once(out, 'finish');
}

/** Runs `args` with node; resolves with stdout and the wall time. */
async function node(args: string[]): Promise<{ stdout: string; wallMs: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`node ${args.join(' ')} exited ${code}`);
  return { stdout: Buffer.concat(chunks).toString('utf8'), wallMs: Math.round(performance.now() - started) };
}

/** In the measured child: computeStats over the log, then one JSON line. */
async function child(path: string): Promise<void> {
  const logger = createLogger({ redact: (text) => text, level: 'silent' });
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const report = await computeStats({
    auditLogs: [path],
    forge: null,
    forgeKind: 'none',
    branchPrefix: 'scrum-apply/',
    since: null,
    by: 'reviewer',
    targetPrecision: 0.8,
    currentMinConfidence: 90,
    logger,
    now: () => new Date(),
  });
  const ms = Math.round(performance.now() - started);
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
  const { rows, malformed } = report.input;
  const line = { rows, malformed, reviews: report.overall.selected, prs: report.overall.prsOpened, ms, cpuMs, maxRssKb: process.resourceUsage().maxRSS };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

interface Measured {
  rows: number;
  reviews: number;
  prs: number;
  ms: number;
  cpuMs: number;
  maxRssKb: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string' }, keep: { type: 'boolean' }, child: { type: 'string' } } });
  if (values.child) return child(values.child);
  const rows = Number(values.rows ?? 1_000_000);
  const dir = await mkdtemp(join(tmpdir(), 'scrum-apply-bench-stats-'));
  const path = join(dir, 'audit.jsonl');
  try {
    process.stdout.write(`writing ${rows.toLocaleString('en-US')} audit rows… `);
    await writeLog(path, rows);
    process.stdout.write(`${((await stat(path)).size / 1e6).toFixed(0)} MB\n`);
    // The figures are wall times: on a shared machine they say little without the load.
    console.log(`load average ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} cores`);

    const measured: Measured = JSON.parse((await node([import.meta.filename, '--child', path])).stdout);
    const rssMb = measured.maxRssKb / 1024;
    const bin = await node([BIN, 'stats', '--forge', 'none', '--by', 'reviewer', '--json', '--repo', dir, '--audit-log', path]);
    const fromBin: { input: { rows: number } } = JSON.parse(bin.stdout);

    const ok = (pass: boolean) => (pass ? 'ok' : 'MISSED');
    console.log(`computeStats: ${measured.rows.toLocaleString('en-US')} rows (${measured.reviews.toLocaleString('en-US')} reviews, ${measured.prs.toLocaleString('en-US')} PRs) in ${measured.ms} ms (CPU ${measured.cpuMs} ms) — ${ok(measured.ms <= TARGET_MS)} (≤ ${TARGET_MS} ms)`);
    console.log(`peak RSS of that process: ${rssMb.toFixed(0)} MB — ${ok(rssMb < TARGET_RSS_MB)} (< ${TARGET_RSS_MB} MB)`);
    console.log(`the bin, start to exit: ${bin.wallMs} ms (${fromBin.input.rows.toLocaleString('en-US')} rows)`);
    console.log(`throughput: ${Math.round(measured.rows / (measured.ms / 1000)).toLocaleString('en-US')} rows/s`);
    if (measured.ms > TARGET_MS || rssMb >= TARGET_RSS_MB) process.exitCode = 1;
  } finally {
    if (values.keep) console.log(`kept ${path}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

await main();
