import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { createPgBossQueue } from '../../src/jobs/pg-boss-queue.js';
import type { CommandJob } from '../../src/jobs/command-job.js';
import { createLogger } from '../../src/log/logger.js';
import { createRedactor } from '../../src/log/redact.js';
import { EVENTS_TABLE } from './bench-events.js';

/** A stand-in worker process and what it has printed, to wait on. */
export interface WorkerProcess {
  name: string;
  child: ChildProcess;
  /** Resolves with the first line (printed so far or later) that matches. */
  waitFor(match: (line: string) => boolean): Promise<string>;
  exited: Promise<number | null>;
}

export function spawnWorker(script: string, name: string, env: Record<string, string>, onLine?: (line: string) => void): WorkerProcess {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env, WORKER_NAME: name }, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiters: Array<{ match: (line: string) => boolean; resolve: (line: string) => void }> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    onLine?.(line);
    for (const waiter of [...waiters]) {
      if (!waiter.match(line)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    name,
    child,
    exited,
    waitFor(match) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve });
        void exited.then(() => reject(new Error(`${name} exited before printing the line waited for`)));
      });
    },
  };
}

/** `count` comment commands over `repos` repositories (round robin), queued as a web process would. */
export async function enqueueCommands(databaseUrl: string, count: number, repos: number): Promise<string[]> {
  const redact = createRedactor([]);
  const queue = await createPgBossQueue({ databaseUrl, concurrency: 1, expirySeconds: 30, logger: createLogger({ redact, level: 'warn' }), redact });
  const deliveries: string[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const repo = `repo-${i % repos}`;
      const job: CommandJob = {
        ref: { forge: 'gitea', owner: 'acme', repo },
        installationId: null,
        serverUrl: 'http://gitea.test',
        command: { type: 'command', dryRun: false, force: false, paths: [`src/file-${i}.rs`] },
        actor: 'maintainer',
        issueNumber: 1 + i,
        commentId: 1000 + i,
        deliveryId: `delivery-${i}`,
      };
      const result = await queue.enqueue({ repo: `gitea:acme/${repo}`, command: `src/file-${i}.rs`, deliveryId: job.deliveryId }, job);
      if (result !== 'queued') throw new Error(`command ${i} was not queued: ${result}`);
      deliveries.push(job.deliveryId);
    }
  } finally {
    await queue.close(0);
  }
  return deliveries;
}

export async function createEventsTable(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(EVENTS_TABLE);
  } finally {
    await client.end();
  }
}

export interface Attempt {
  delivery: string;
  repo: string;
  worker: string;
  start: number;
  end: number | null;
  replied: boolean;
}

/** Every attempt, from the events table, in start order. */
export async function readAttempts(databaseUrl: string): Promise<Attempt[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ delivery: string; repo: string; worker: string; kind: string; at: Date }>(
      'SELECT delivery, repo, worker, kind, at FROM bench.events ORDER BY at, id',
    );
    const attempts: Attempt[] = [];
    const open = new Map<string, Attempt>();
    for (const row of rows) {
      const key = `${row.delivery}\n${row.worker}`;
      if (row.kind === 'start') {
        const attempt = { delivery: row.delivery, repo: row.repo, worker: row.worker, start: row.at.getTime(), end: null, replied: false };
        attempts.push(attempt);
        open.set(key, attempt);
      } else {
        const attempt = open.get(key);
        if (attempt === undefined) throw new Error(`${row.kind} without a start: ${row.delivery} on ${row.worker}`);
        if (row.kind === 'reply') attempt.replied = true;
        else attempt.end = row.at.getTime();
      }
    }
    return attempts;
  } finally {
    await client.end();
  }
}
