import { resolve } from 'node:path';
import { build } from 'esbuild';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_QUEUE, DEAD_LETTER_QUEUE } from '../../src/jobs/pg-boss-queue.js';
import { createEventsTable, enqueueCommands, readAttempts, spawnWorker, type WorkerProcess } from '../../tools/queue/worker-fleet.js';
import { deferred } from '../app/app-fixtures.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

const COMMANDS = 200;
const REPOS = 50;
let db: TestPostgres;
let script: string;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  db = await startPostgres();
  // The worker runs as its own Node process: bundled next to node_modules (dependencies stay external).
  script = resolve('.build/test/stand-in-worker.mjs');
  await build({ entryPoints: ['tools/queue/stand-in-worker.ts'], outfile: script, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
}, 120_000);

afterAll(async () => {
  for (const worker of workers) worker.child.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
  await db?.stop();
});

describe('the durable queue at scale: 200 commands, 50 repositories, 3 worker processes', () => {
  it('runs every command exactly once to completion, one job per repository at a time, one reply each — through a SIGKILL and a restart', async () => {
    await createEventsTable(db.url);
    const deliveries = await enqueueCommands(db.url, COMMANDS, REPOS);
    const env = { DATABASE_URL: db.url, STAND_IN_MS: '60', EXPIRY_SECONDS: '3' };
    const ended = new Set<string>();
    const allEnded = deferred<void>();
    const onLine = (line: string) => {
      if (!line.startsWith('end ')) return;
      ended.add(line.slice('end '.length));
      if (ended.size === COMMANDS) allEnded.resolve();
    };
    const start = (name: string) => {
      const worker = spawnWorker(script, name, env, onLine);
      workers.push(worker);
      return worker;
    };
    const [a, b] = [start('worker-a'), start('worker-b'), start('worker-c')];

    // worker-a dies mid-job (it has printed `start` and not `end`): its job waits for its expiry.
    const killedLine = await a!.waitFor((line) => line.startsWith('start ') && Number(line.split('-')[1]) >= 20);
    a!.child.kill('SIGKILL');
    await a!.exited;
    const killedAt = Date.now();
    const killedDelivery = killedLine.slice('start '.length);

    // worker-b is restarted gracefully: it finishes or releases its job, and a new process takes over.
    await b!.waitFor((line) => line.startsWith('start ') && Number(line.split('-')[1]) >= 60);
    b!.child.kill('SIGTERM');
    expect(await b!.exited).toBe(0);
    start('worker-b-restarted');

    // Every command has ended somewhere; then every worker stops gracefully (its last job is marked done).
    await allEnded.promise;
    for (const worker of workers.slice(2)) worker.child.kill('SIGTERM');
    expect(await Promise.all(workers.slice(2).map((w) => w.exited))).toEqual([0, 0]);
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    const states = await pool.query(`SELECT name, state::text AS state, count(*)::int AS n FROM pgboss.job WHERE name IN ($1, $2) GROUP BY 1, 2`, [COMMAND_QUEUE, DEAD_LETTER_QUEUE]);
    await pool.end();

    const attempts = await readAttempts(db.url);
    const finished = attempts.filter((t) => t.end !== null);
    // Exactly once to completion, and exactly one reply, for every command.
    expect(finished.map((t) => t.delivery).sort()).toEqual([...deliveries].sort());
    expect(attempts.filter((t) => t.replied).map((t) => t.delivery).sort()).toEqual([...deliveries].sort());
    // The killed attempt is the only unfinished one; it ran again elsewhere, after worker-a died.
    const unfinished = attempts.filter((t) => t.end === null);
    expect(unfinished.map((t) => [t.delivery, t.worker])).toEqual([[killedDelivery, 'worker-a']]);
    const rerun = finished.find((t) => t.delivery === killedDelivery)!;
    expect(rerun.worker).not.toBe('worker-a');
    expect(rerun.start).toBeGreaterThanOrEqual(killedAt - 5);
    // Never two jobs of one repository at once (an attempt ends before the next one starts).
    const byRepo = new Map<string, typeof attempts>();
    for (const t of attempts) byRepo.set(t.repo, [...(byRepo.get(t.repo) ?? []), t]);
    expect(byRepo.size).toBe(REPOS);
    for (const list of byRepo.values()) {
      for (let i = 1; i < list.length; i += 1) {
        const before = list[i - 1]!;
        expect(before.end ?? killedAt, `${before.delivery} overlaps ${list[i]!.delivery}`).toBeLessThanOrEqual(list[i]!.start);
      }
    }
    expect(states.rows).toEqual([{ name: COMMAND_QUEUE, state: 'completed', n: COMMANDS }]);
    // All three worker processes took part.
    expect(new Set(finished.map((t) => t.worker)).size).toBeGreaterThanOrEqual(3);
  }, 240_000);
});
