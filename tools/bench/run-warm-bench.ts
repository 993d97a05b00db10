import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createChecker, type WarmStrategy } from '../../src/check/create-checker.js';
import { CheckConfig } from '../../src/config/config-schema.js';
import { openRepo } from '../../src/git/open-repo.js';
import { REAL_PATCHES } from './real-bench-patches.js';
import { createRealWorkspaceRepo, REAL_WORKSPACE } from './real-workspace.js';

/**
 * `npm run bench:warm`: how the slots should get the warm build of the base, measured on the
 * real workspace of bench:real in the bwrap sandbox — each slot building cold, one build
 * copied into every slot, or one target dir shared by all — as the wall time from the
 * warm-up's start to the last of the patched checks, all answers there at once (a model that
 * answers at once). Each run starts from empty target dirs; they run one after another, in
 * the order given (`--strategies=copy,share,cold,cold,share,copy`: repeat and interleave them
 * on a busy machine), on the same workspace; then the median of each strategy.
 */
async function main(): Promise<number> {
  const strategies = (process.argv.find((arg) => arg.startsWith('--strategies='))?.slice('--strategies='.length) ?? 'copy,share,cold').split(',') as WarmStrategy[];
  const root = mkdtempSync(join(tmpdir(), 'scrum-apply-warm-bench-'));
  try {
    const cargoHome = join(root, 'cargo-home');
    mkdirSync(cargoHome);
    writeFileSync(join(cargoHome, 'config.toml'), '[http]\nproxy = "http://127.0.0.1:9"\ntimeout = 5\n[net]\nretry = 0\n');
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', CARGO_HOME: cargoHome };
    if (process.env.RUSTUP_HOME) env.RUSTUP_HOME = process.env.RUSTUP_HOME;
    const { dir } = createRealWorkspaceRepo(root, REAL_WORKSPACE, { cargo: 'cargo', env });
    const slots = availableParallelism();
    const patches = REAL_PATCHES.filter((patch) => patch.expect !== 'rejected');
    const lines = [`warm strategies on ${REAL_WORKSPACE.members.join(', ')}: ${patches.length} checks, ${slots} slots, bwrap; load ${(loadavg()[0] ?? 0).toFixed(1)}`];
    const walls: Array<{ strategy: WarmStrategy; ms: number }> = [];
    for (const strategy of strategies) {
      const repo = await openRepo({ repoDir: dir, scratchDir: mkdtempSync(join(root, `scratch-${strategy}-`)), branchPrefix: 'scrum-apply/' });
      const checker = createChecker({
        config: CheckConfig.parse({ command: 'cargo check --workspace', sandbox: 'bwrap' }),
        sandbox: 'bwrap',
        tree: { scratch: repo.scratch, baseSha: repo.baseSha, root: mkdtempSync(join(root, `slots-${strategy}-`)), packageDirOf: (path) => repo.packageDirOf(path) },
        slots,
        env,
        warmUp: strategy,
        logger: pino({ level: 'silent' }),
      });
      process.stderr.write(`bench:warm: ${strategy}…\n`);
      const started = performance.now();
      const order = await checker.order(patches.map((patch) => patch.file), slots * 2);
      checker.warm(patches.length);
      const results = await Promise.all(
        order.map((at) => {
          const patch = patches[at] as (typeof patches)[number];
          const original = readFileSync(join(dir, patch.file));
          const patched = Buffer.from(original.toString('utf8').replace(patch.old_string, patch.new_string));
          return checker.check({ id: at, path: patch.file, patched, original });
        }),
      );
      const wallMs = performance.now() - started;
      walls.push({ strategy, ms: wallMs });
      await checker.close();
      await repo.dispose();
      const right = results.filter((checked, i) => checked.result.green === (patches[order[i] as number]?.expect === 'green')).length;
      lines.push(`${strategy.padEnd(6)} ${(wallMs / 1000).toFixed(1).padStart(6)} s   (${right}/${patches.length} checks as expected)`);
    }
    for (const strategy of new Set(strategies)) {
      const times = walls.filter((run) => run.strategy === strategy).map((run) => run.ms).sort((a, b) => a - b);
      lines.push(`median ${strategy.padEnd(6)} ${((times[Math.floor((times.length - 1) / 2)] ?? 0) / 1000).toFixed(1)} s of ${times.length}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

process.exitCode = await main();
