import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runCli } from '../../src/cli/run-cli.js';
import { startLlmStandIn } from '../demo/llm-stand-in.js';
import { REAL_PATCHES } from './real-bench-patches.js';
import { createRealWorkspaceRepo, REAL_WORKSPACE } from './real-workspace.js';

/**
 * `npm run bench:real` (or `npm run bench -- --real`): the bot against plain `cargo check` on a
 * real workspace — regex, regex-syntax and aho-corasick from Debian's crate sources, memchr
 * vendored through `.cargo/config.toml` — measured in the same run: plain `cargo check` cold,
 * plain `cargo check` after each patch one by one (incremental), the bot's wall time (a dry
 * run, the model answering at once), and the ratio of the bot's time to the bound with
 * perfect overlap, `cold + Σ incremental ÷ slots`. CARGO_HOME is a fresh one whose config
 * sends any network access to a closed port: a fetch that tried would fail and say so. Run it
 * as `unshare -n sh -c 'ip link set lo up && npm run bench:real'` (root) to have no network
 * but loopback (where the model stand-in listens).
 */
async function main(): Promise<number> {
  const root = mkdtempSync(join(tmpdir(), 'scrum-apply-real-bench-'));
  try {
    const cargoHome = join(root, 'cargo-home');
    mkdirSync(cargoHome);
    writeFileSync(join(cargoHome, 'config.toml'), '[http]\nproxy = "http://127.0.0.1:9"\ntimeout = 5\n[net]\nretry = 0\n');
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', CARGO_HOME: cargoHome };
    if (process.env.RUSTUP_HOME) env.RUSTUP_HOME = process.env.RUSTUP_HOME;
    const { dir } = createRealWorkspaceRepo(root, REAL_WORKSPACE, { cargo: 'cargo', env });
    const slots = availableParallelism();
    const load = loadavg()[0] ?? 0;

    // Plain cargo, as a person would run it: a clone of its own, the same offline workspace.
    const plain = join(root, 'plain');
    execFileSync('git', ['clone', '-q', dir, plain]);
    const cargo = (args: string[]) => {
      const started = performance.now();
      const out = spawnSync('cargo', args, { cwd: plain, env, encoding: 'utf8' });
      return { ms: performance.now() - started, ok: out.status === 0 };
    };
    process.stderr.write('bench:real: plain cargo check, cold…\n');
    const botOnly = process.argv.includes('--bot-only');
    const cold = botOnly ? { ms: 0, ok: true } : cargo(['check', '--workspace', '--offline']);
    if (!cold.ok) throw new Error('plain cargo check fails on the unpatched workspace');
    const incremental: Array<{ file: string; ms: number; green: boolean }> = [];
    for (const patch of botOnly ? [] : REAL_PATCHES.filter((p) => p.expect !== 'rejected')) {
      const path = join(plain, patch.file);
      const original = readFileSync(path, 'utf8');
      writeFileSync(path, original.replace(patch.old_string, patch.new_string));
      process.stderr.write(`bench:real: plain cargo check after the patch to ${patch.file}…\n`);
      const run = cargo(['check', '--workspace', '--offline']);
      incremental.push({ file: patch.file, ms: run.ms, green: run.ok });
      writeFileSync(path, original);
    }

    // The bot: a dry run over the same files, the model answering at once.
    const answers = new Map(REAL_PATCHES.map((p) => [p.file, JSON.stringify({ patches: [{ old_string: p.old_string, new_string: p.new_string, rationale: p.rationale, confidence: 95 }] })]));
    const files = [...answers.keys()].sort((a, b) => b.length - a.length);
    const llm = await startLlmStandIn((req) => ({ content: answers.get(files.find((f) => req.prompt.includes(f)) ?? '') ?? '{"patches": []}' }));
    const log = REAL_PATCHES.map((p) =>
      JSON.stringify({ file: p.file, reviewed_at: '2026-11-21T09:00:00Z', accepted_model: 'kimi-k2:1t', suggestions_preview: `${p.rationale}: ${p.old_string.trim()}`, confidence_avg: 95, confidence_min: 90, gradient_tier: 'auto' }),
    );
    mkdirSync(join(dir, 'data', '_kb'), { recursive: true });
    writeFileSync(join(dir, 'data', '_kb', 'scrum_reviews.jsonl'), `${log.join('\n')}\n`);
    const audit = join(root, 'audit.jsonl');
    const stderr: string[] = [];
    const sink = (into: string[] | null) => new Writable({ write: (chunk: Buffer, _e, done) => (into?.push(chunk.toString('utf8')), done()) });
    process.stderr.write('bench:real: the bot, a dry run…\n');
    const started = performance.now();
    let code: number;
    try {
      code = await runCli(['run', '--max-files', String(REAL_PATCHES.length), '--audit-log', audit], { stdout: sink(null), stderr: sink(stderr), env: { ...env, SCRUM_APPLY_LLM_URL: llm.url, SCRUM_APPLY_DATA_DIR: join(root, 'data') }, cwd: dir }, 'bench');
    } finally {
      await llm.close();
    }
    const botMs = performance.now() - started;
    // A run that failed (no model reachable, no toolchain) wrote no rows: say why instead.
    if (!existsSync(audit)) throw new Error(`the bot's run wrote no audit rows (exit ${code}):\n${stderr.join('').split('\n').slice(-5).join('\n')}`);
    const rows = readFileSync(audit, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { file: string; action: string; reason: string | null; check: { errors?: Array<{ code: string | null; file: string | null; line: number | null }> } | null });
    const sumIncremental = incremental.reduce((sum, run) => sum + run.ms, 0);
    const bound = cold.ms + sumIncremental / slots;
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const fetchWarned = stderr.join('').includes('cargo fetch failed');
    const out = [
      `real workspace: ${REAL_WORKSPACE.members.join(', ')} (+ vendored ${REAL_WORKSPACE.vendored.join(', ')}), ${REAL_PATCHES.length} files; ${slots} slots; load ${load.toFixed(1)}`,
      `plain cargo check, cold:               ${s(cold.ms)}`,
      ...incremental.map((run) => `plain cargo check after ${run.file.padEnd(34)} ${s(run.ms)} ${run.green ? 'green' : 'red'}`),
      `Σ incremental:                         ${s(sumIncremental)}`,
      `bound (cold + Σ incremental ÷ ${slots}):      ${s(bound)}`,
      `bot wall time (dry run, exit ${code}):       ${s(botMs)}`,
      `ratio bot ÷ bound:                     ${(botMs / bound).toFixed(2)}× (target ≤ 1.3×)`,
      `network: ${fetchWarned ? 'the fetch FAILED (it tried to reach a registry)' : 'no fetch failure (vendored: nothing to download; any registry access would have failed)'}`,
      '',
      ...rows.map((row) => {
        const error = row.check?.errors?.[0];
        const expected = REAL_PATCHES.find((p) => p.file === row.file)?.expect ?? '?';
        return `${row.file.padEnd(36)} ${row.action.padEnd(20)} expected ${expected.padEnd(8)} ${row.reason ?? ''}`;
      }),
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    if (process.argv.includes('--verbose')) process.stderr.write(stderr.join(''));
    return code;
  } finally {
    if (process.argv.includes('--keep')) process.stderr.write(`bench:real: kept ${root}\n`);
    else rmSync(root, { recursive: true, force: true });
  }
}

process.exitCode = await main();
