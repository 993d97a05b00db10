import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { RepoConfig } from '../../src/config/config-schema.js';
import { startLlmStandIn } from '../demo/llm-stand-in.js';
import { createBenchRepo } from './bench-fixture.js';
import { BenchReport, ChildRun, runFigures } from './bench-figures.js';
import { renderBenchTable, type ModeFigures, type SelectionFigures } from './bench-table.js';
import { benchAnswer } from './bench-workspace.js';
import { startLocalGitHub } from './local-github.js';
import { writeLargeReviewLog } from './write-large-review-log.js';
import { z } from 'zod';
import { repoRoot } from '../repo-root.js';

/**
 * `npm run bench`: the pipeline on a generated 20-file Cargo workspace, with an LLM stand-in
 * answering every request after a fixed latency, a bare local origin and a local GitHub API,
 * at `--concurrency 1` and at the default; then selection from a generated 1,000,000-row
 * review log. Every measured run is a process of its own (peak RSS is per process); a bot run
 * is the shipped `scrum-apply` bin, the bundle `npm run build` makes.
 */
const SelectRun = z.object({ rows: z.number(), files: z.number(), eligible: z.number(), malformed: z.number(), ms: z.number(), maxRssKb: z.number() });

const TOOLCHAIN_ENV = ['PATH', 'HOME', 'LANG', 'CARGO_HOME', 'RUSTUP_HOME', 'RUSTUP_TOOLCHAIN'];

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of TOOLCHAIN_ENV) if (process.env[name] !== undefined) env[name] = process.env[name];
  return { ...env, ...extra };
}

interface NodeOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** What the process wrote to file descriptor 3 (measure-exit.js). */
  fd3: string;
}

/** Runs `node ...nodeArgs` to its end, collecting stdout, stderr and file descriptor 3. */
function runNodeProcess(nodeArgs: string[], options: { cwd?: string; env: NodeJS.ProcessEnv }): Promise<NodeOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs, { ...options, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    const [stdout, stderr, fd3] = [child.stdout, child.stderr, child.stdio[3]].map((stream) => {
      const chunks: Buffer[] = [];
      stream?.on('data', (chunk: Buffer) => chunks.push(chunk));
      return () => Buffer.concat(chunks).toString('utf8');
    }) as [() => string, () => string, () => string];
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout: stdout(), stderr: stderr(), fd3: fd3() }));
  });
}

const ended = (outcome: NodeOutcome) => outcome.signal ?? `exit ${outcome.code}`;

/** Runs `node <script> ...args` and returns its last stdout line, parsed. */
async function runNode(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<unknown> {
  const outcome = await runNodeProcess([join(import.meta.dirname, script), ...args], { env });
  try {
    return JSON.parse(outcome.stdout.trim().split('\n').pop() ?? '');
  } catch {
    throw new Error(`${script} ended (${ended(outcome)}) without a result:\n${outcome.stderr.slice(-4000)}`);
  }
}

/** The `scrum-apply` bin as `npm run build` ships it (the bundle). */
const BIN = join(repoRoot(), 'dist', 'cli', 'scrum-apply.mjs');

/**
 * Runs the shipped bin (`scrum-apply ...args` in `cwd`) as a process of its own with
 * measure-exit.js preloaded, which reports on file descriptor 3 as the process exits.
 */
async function runBot(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ run: ChildRun; stdout: string; stderr: string }> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first`);
  const outcome = await runNodeProcess(['--import', pathToFileURL(join(import.meta.dirname, 'measure-exit.js')).href, BIN, ...args], { cwd, env });
  try {
    return { run: ChildRun.parse(JSON.parse(outcome.fd3)), stdout: outcome.stdout, stderr: outcome.stderr };
  } catch {
    throw new Error(`the bot process ended (${ended(outcome)}) without its measurements:\n${outcome.stderr.slice(-4000)}`);
  }
}

async function runMode(options: { concurrency: number | null; latencyMs: number; llmUrl: string }): Promise<ModeFigures> {
  const root = mkdtempSync(join(tmpdir(), 'scrum-apply-bench-'));
  const github = await startLocalGitHub({ owner: 'bench', repo: 'workspace' });
  try {
    const repo = createBenchRepo(root, { crates: 4, modules: 5 });
    const env = childEnv({
      SCRUM_APPLY_LLM_URL: options.llmUrl,
      SCRUM_APPLY_DATA_DIR: join(root, 'data'),
      GITHUB_TOKEN: 'bench-token-for-the-local-api',
      GITHUB_REPOSITORY: github.repository,
      GITHUB_API_URL: github.url,
      // The local API has no secondary rate limits: writes stay serial, without 1 s spacing.
      SCRUM_APPLY_GITHUB_WRITE_SPACING: 'off',
    });
    const args = ['run', '--apply', '--forge', 'github', '--json', ...(options.concurrency === null ? [] : ['--concurrency', String(options.concurrency)])];
    const runOnce = async () => {
      const before = github.counts().writes;
      const { run, stdout, stderr } = await runBot(args, repo.dir, env);
      if (run.code !== 0) throw new Error(`the bot run failed (exit ${run.code}):\n${stderr.slice(-16_000)}`);
      return { run, report: BenchReport.parse(JSON.parse(stdout)), writes: github.counts().writes - before };
    };
    const first = await runOnce();
    const second = await runOnce();
    const unexpected = github.counts().unexpected;
    if (unexpected.length > 0) throw new Error(`the bot called endpoints the local GitHub API lacks: ${unexpected.join(', ')}`);
    return {
      first: runFigures(first.run, first.report),
      second: runFigures(second.run, second.report),
      writesFirst: first.writes,
      writesSecond: second.writes,
      prsOpened: first.report.results.filter((r) => r.action === 'pr_opened').length,
      prsUnchanged: second.report.results.filter((r) => r.action === 'pr_unchanged').length,
    };
  } finally {
    await github.close();
    rmSync(root, { recursive: true, force: true });
  }
}

async function runSelection(rows: number, files: number): Promise<SelectionFigures> {
  const root = mkdtempSync(join(tmpdir(), 'scrum-apply-bench-log-'));
  try {
    const path = join(root, 'scrum_reviews.jsonl');
    const bytes = await writeLargeReviewLog(path, { rows, files });
    const run = SelectRun.parse(await runNode('select-child.js', [path], childEnv({})));
    return { ...run, bytes };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * The repetition whose first run took the median wall time: its figures, all from one
 * repetition, stand for the setting (timings on a shared VM swing by 10–20 %).
 */
function medianRepetition(repetitions: ModeFigures[]): ModeFigures {
  const sorted = [...repetitions].sort((a, b) => a.first.wallMs - b.first.wallMs);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  if (median === undefined) throw new Error('no repetitions');
  return median;
}

async function main(): Promise<number> {
  // `npm run bench -- --real`: the real-workspace bench instead (run-real-bench.ts).
  if (process.argv.includes('--real')) {
    const real = spawnSync(process.execPath, [join(import.meta.dirname, 'run-real-bench.js')], { stdio: 'inherit' });
    return real.status ?? 1;
  }
  const { values } = parseArgs({
    options: {
      'latency-ms': { type: 'string', default: '1000' },
      rows: { type: 'string', default: '1000000' },
      'skip-runs': { type: 'boolean', default: false },
      repeat: { type: 'string', default: '3' },
    },
  });
  const latencyMs = Number(values['latency-ms']);
  const rows = Number(values.rows);
  const repeat = Number(values.repeat);
  if (!Number.isInteger(latencyMs) || latencyMs < 0 || !Number.isInteger(rows) || rows < 1 || !Number.isInteger(repeat) || repeat < 1) {
    process.stderr.write('usage: run-bench.js [--latency-ms N] [--rows N] [--repeat N] [--skip-runs]\n');
    return 2;
  }
  const defaultConcurrency = RepoConfig.parse({}).concurrency;
  let inFlight = 0;
  let maxInFlight = 0;
  const llm = await startLlmStandIn(async () => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, latencyMs));
    inFlight -= 1;
    return benchAnswer();
  });
  try {
    const settings = [1, null].map((concurrency) => ({
      concurrency,
      label: concurrency === null ? `default (${defaultConcurrency})` : `--concurrency ${concurrency}`,
      repetitions: [] as ModeFigures[],
      maxInFlight: 0,
    }));
    const loadBefore = loadavg()[0] ?? 0;
    if (!values['skip-runs']) {
      // The settings take turns, so each repetition compares runs made back to back: a shared
      // VM's speed drifts over minutes, and a ratio of runs far apart would measure the drift.
      for (let i = 1; i <= repeat; i += 1) {
        for (const setting of settings) {
          process.stderr.write(`bench: ${setting.label}: two runs on 20 files (${i} of ${repeat})…\n`);
          maxInFlight = 0;
          setting.repetitions.push(await runMode({ concurrency: setting.concurrency, latencyMs, llmUrl: llm.url }));
          setting.maxInFlight = Math.max(setting.maxInFlight, maxInFlight);
        }
      }
    }
    const modes = values['skip-runs']
      ? []
      : settings.map((setting) => ({
          label: setting.label,
          figures: medianRepetition(setting.repetitions),
          runOneWalls: setting.repetitions.map((r) => r.first.wallMs),
          maxInFlight: setting.maxInFlight,
        }));
    const loadAfter = loadavg()[0] ?? 0;
    process.stderr.write(`bench: selection from ${rows.toLocaleString('en-US')} review rows…\n`);
    const selection = await runSelection(rows, 20_000);
    process.stdout.write(renderBenchTable({ modes, selection, latencyMs, cpus: availableParallelism(), load: [loadBefore, loadAfter] }));
    return 0;
  } finally {
    await llm.close();
  }
}

process.exitCode = await main();
