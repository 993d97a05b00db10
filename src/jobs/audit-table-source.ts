import type pg from 'pg';
import { MAX_PROBLEMS, parseAuditRow, type AuditLogSummary, type AuditSource } from '../stats/read-audit-log.js';
import { SCHEMA } from './queue-tables.js';

/** Rows fetched per query: a few megabytes, whatever the table holds. */
const PAGE_ROWS = 5000;

/**
 * One repository's rows of the server's audit table (queue-tables.ts), for `scrum-apply stats`:
 * the same rows as its JSONL file, read in the order they were written (by id), a page at a
 * time (keyset pagination: memory follows the page, not the table). `repository` is the
 * server's label, `github:acme/widgets`. A row the stats cannot read is skipped and counted,
 * named by its id.
 */
export function auditTableSource(pool: pg.Pool, repository: string, name: string): AuditSource {
  return {
    name,
    async read(take) {
      const summary: AuditLogSummary = { path: name, rows: 0, malformed: 0, problems: [] };
      let after = '0';
      for (;;) {
        const page = await pool.query<{ id: string; row: string }>(
          `SELECT id::text AS id, row::text AS row FROM ${SCHEMA}.audit_rows WHERE repository = $1 AND id > $2 ORDER BY id LIMIT ${PAGE_ROWS}`,
          [repository, after],
        );
        for (const { id, row } of page.rows) {
          summary.rows += 1;
          const parsed = parseAuditRow(row);
          if (typeof parsed !== 'string') {
            take(parsed);
            continue;
          }
          summary.malformed += 1;
          if (summary.problems.length < MAX_PROBLEMS) summary.problems.push(`row ${id}: ${parsed}`);
        }
        const last = page.rows.at(-1);
        if (last === undefined || page.rows.length < PAGE_ROWS) return summary;
        after = last.id;
      }
    },
  };
}
