import pg from 'pg';

export interface BenchEvent {
  delivery: string;
  repo: string;
  worker: string;
  kind: 'start' | 'reply' | 'end';
}

export const EVENTS_TABLE = `
CREATE SCHEMA IF NOT EXISTS bench;
CREATE TABLE IF NOT EXISTS bench.events (
  id bigserial PRIMARY KEY,
  delivery text NOT NULL,
  repo text NOT NULL,
  worker text NOT NULL,
  kind text NOT NULL,
  at timestamptz NOT NULL DEFAULT clock_timestamp()
);`;

const pools = new Map<string, pg.Pool>();

/** One attempt's step, stamped with the database's clock (one clock for every process). */
export async function recordEvent(databaseUrl: string, event: BenchEvent): Promise<void> {
  let pool = pools.get(databaseUrl);
  if (pool === undefined) {
    pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    pools.set(databaseUrl, pool);
  }
  await pool.query('INSERT INTO bench.events (delivery, repo, worker, kind) VALUES ($1, $2, $3, $4)', [event.delivery, event.repo, event.worker, event.kind]);
}
