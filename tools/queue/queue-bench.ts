/*
 * `npm run bench:queue`: jobs per minute through the pg-boss queue with 1, 2 and 3 worker
 * processes, the pipeline replaced by a stand-in that takes a fixed time, so the figure
 * measures the queue. Uses DATABASE_URL's server when set (a fresh database per run is
 * created on it), else a throw-away PostgreSQL cluster. Exits 1 when 3 workers do not reach
 * 2.5× the throughput of one.
 *
 * Env: BENCH_JOBS (default 60), BENCH_REPOS (default 30), STAND_IN_MS (default 500).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startPostgres, type TestPostgres } from './throwaway-postgres.js';
import { createEventsTable, enqueueCommands, readAttempts, spawnWorker, type WorkerProcess } from './worker-fleet.js';

const jobs = Number(process.env.BENCH_JOBS ?? 60);
const repos = Number(process.env.BENCH_REPOS ?? 30);
const standInMs = Number(process.env.STAND_IN_MS ?? 500);
const here = dirname(fileURLToPath(import.meta.url));
const script = join(here, 'stand-in-worker.js');
if (!existsSync(script)) throw new Error(`${script} is missing: run npm run build:tools first`);

let cluster: TestPostgres | null = null;
async function databaseFor(run: number): Promise<string> {
  const name = `scrum_apply_bench_${Date.now()}_${run}`;
  if (process.env.DATABASE_URL) {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query(`CREATE DATABASE "${name}"`);
    await client.end();
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = `/${name}`;
    return url.toString();
  }
  cluster ??= await startPostgres();
  return cluster.createDatabase(name);
}

async function measure(workers: number, run: number): Promise<number> {
  const url = await databaseFor(run);
  await createEventsTable(url);
  await enqueueCommands(url, jobs, repos);
  let ended = 0;
  let allEnded: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allEnded = resolve));
  const fleet: WorkerProcess[] = Array.from({ length: workers }, (_, i) =>
    spawnWorker(script, `worker-${i + 1}`, { DATABASE_URL: url, STAND_IN_MS: String(standInMs) }, (line) => {
      if (line.startsWith('end ') && (ended += 1) === jobs) allEnded();
    }),
  );
  await done;
  for (const worker of fleet) worker.child.kill('SIGTERM');
  await Promise.all(fleet.map((w) => w.exited));
  // From the first start to the last end, by the database's clock: start-up is not counted.
  const attempts = await readAttempts(url);
  const first = Math.min(...attempts.map((a) => a.start));
  const last = Math.max(...attempts.map((a) => a.end ?? a.start));
  return (jobs / (last - first)) * 60_000;
}

try {
  process.stdout.write(`queue benchmark: ${jobs} jobs over ${repos} repositories, stand-in job ${standInMs} ms, one job at a time per worker process\n`);
  const perMinute: number[] = [];
  for (const workers of [1, 2, 3]) {
    const rate = await measure(workers, workers);
    perMinute.push(rate);
    process.stdout.write(`${workers} worker${workers === 1 ? ' ' : 's'}: ${rate.toFixed(0).padStart(6)} jobs/minute  (${(rate / perMinute[0]!).toFixed(2)}×)\n`);
  }
  const scale = perMinute[2]! / perMinute[0]!;
  process.stdout.write(`ideal: ${((60_000 / standInMs) * 1).toFixed(0)} jobs/minute per worker; 3 workers scale ${scale.toFixed(2)}× (want ≥ 2.5×)\n`);
  process.exitCode = scale >= 2.5 ? 0 : 1;
} finally {
  // Assigned inside databaseFor: TypeScript cannot see that here.
  await (cluster as TestPostgres | null)?.stop();
}
