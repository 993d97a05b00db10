import type pg from 'pg';
import type { Redactor } from '../log/redact.js';
import type { AuditRow } from '../report/audit-row.js';

/** Our own tables next to pg-boss's (schema `pgboss`): what must be shared by every process. */
export const SCHEMA = 'scrum_apply';
/** pg-boss's schema (its default). */
export const BOSS_SCHEMA = 'pgboss';

const TABLES = `
CREATE SCHEMA IF NOT EXISTS ${SCHEMA};
-- Webhook deliveries queued: a redelivery (same id) is not queued again.
CREATE TABLE IF NOT EXISTS ${SCHEMA}.deliveries (
  delivery_id text PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now()
);
-- The last job of each repository and command: the same command is not queued again while
-- that job is queued or running (a finished or dead job's row is simply taken over).
CREATE TABLE IF NOT EXISTS ${SCHEMA}.commands (
  repository text NOT NULL,
  command text NOT NULL,
  job_id uuid NOT NULL,
  PRIMARY KEY (repository, command)
);
-- Replies posted, by delivery: a retried job answers once.
CREATE TABLE IF NOT EXISTS ${SCHEMA}.replies (
  delivery_id text PRIMARY KEY,
  posted_at timestamptz NOT NULL DEFAULT now()
);
-- The audit rows, as in the per-repository JSONL files.
CREATE TABLE IF NOT EXISTS ${SCHEMA}.audit_rows (
  id bigserial PRIMARY KEY,
  repository text NOT NULL,
  ts timestamptz NOT NULL,
  run_id text NOT NULL,
  file text NOT NULL,
  action text NOT NULL,
  row jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_rows_repository_ts ON ${SCHEMA}.audit_rows (repository, ts);
`;

/** Creates the tables once, whichever process starts first (an advisory lock serialises them). */
export async function createQueueTables(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtext('scrum_apply.tables'))");
    await client.query(TABLES);
    // Deliveries older than a week cannot be redelivered by GitHub or Gitea any more.
    await client.query(`DELETE FROM ${SCHEMA}.deliveries WHERE received_at < now() - interval '7 days'`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Each command's reply, written once even when its job is retried. */
export interface ReplyLedger {
  /** True: this worker may post the reply (nobody has). */
  claim(deliveryId: string): Promise<boolean>;
  /** The post failed: let a later attempt try again. */
  release(deliveryId: string): Promise<void>;
}

export function createReplyLedger(pool: pg.Pool): ReplyLedger {
  return {
    async claim(deliveryId) {
      const result = await pool.query(`INSERT INTO ${SCHEMA}.replies (delivery_id) VALUES ($1) ON CONFLICT DO NOTHING`, [deliveryId]);
      return result.rowCount === 1;
    },
    async release(deliveryId) {
      await pool.query(`DELETE FROM ${SCHEMA}.replies WHERE delivery_id = $1`, [deliveryId]);
    },
  };
}

/** Appends an audit row to the database (the JSONL file stays the per-repository record). */
export type AuditSink = (repository: string, row: AuditRow) => Promise<void>;

export function createAuditSink(pool: pg.Pool, redact: Redactor): AuditSink {
  return async (repository, row) => {
    await pool.query(`INSERT INTO ${SCHEMA}.audit_rows (repository, ts, run_id, file, action, row) VALUES ($1, $2, $3, $4, $5, $6)`, [
      repository,
      row.ts,
      row.run_id,
      row.file,
      row.action,
      redact(JSON.stringify(row)),
    ]);
  };
}
