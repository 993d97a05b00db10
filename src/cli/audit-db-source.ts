import { auditTableSource } from '../jobs/audit-table-source.js';
import { checkDatabaseUrl, describeDatabaseUrl } from '../jobs/database-url.js';
import type { AuditSource } from '../stats/read-audit-log.js';
import { ExitError } from './exit-error.js';

export interface AuditDb {
  source: AuditSource;
  close(): Promise<void>;
}

/**
 * `scrum-apply stats --audit-db REPOSITORY`: the server's audit table (DATABASE_URL, never a
 * flag: it carries a password) as the stats' source. The repository is the server's label,
 * `github:owner/name`; a bare `owner/name` takes the forge the stats ask. pg is loaded only
 * here (the bundles leave it out: the GitHub Action has no database).
 */
export async function openAuditDb(repository: string, forge: 'github' | 'gitea' | 'none', env: NodeJS.ProcessEnv): Promise<AuditDb> {
  const url = env.DATABASE_URL;
  if (url === undefined || url === '') throw new ExitError(1, "--audit-db reads the server's audit table: set DATABASE_URL");
  try {
    checkDatabaseUrl(url);
  } catch (error) {
    throw new ExitError(1, error instanceof Error ? error.message : 'DATABASE_URL is not usable');
  }
  let label = repository;
  if (!/^(github|gitea):/.test(repository)) {
    if (forge === 'none') throw new ExitError(1, `--audit-db ${repository}: with --forge none, name the forge (github:${repository} or gitea:${repository})`);
    label = `${forge}:${repository}`;
  }
  let pg: typeof import('pg').default;
  try {
    pg = (await import('pg')).default;
  } catch {
    throw new ExitError(1, '--audit-db needs the pg package, which this build does not carry (install scrum-apply from npm)');
  }
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  // An idle connection that breaks must not crash the command; the next query reports it.
  pool.on('error', () => undefined);
  const where = describeDatabaseUrl(url);
  const table = auditTableSource(pool, label, `${where}#${label}`);
  return {
    source: {
      name: table.name,
      read: (take) =>
        table.read(take).catch((error: unknown) => {
          const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : null;
          // 42P01: undefined_table — no server has run with this database yet.
          if (code === '42P01') throw new ExitError(1, `no audit table at ${where}: no server has written to this database`, { cause: error });
          throw new ExitError(1, `cannot read the audit table at ${where}${code === null ? '' : ` (${code})`}`, { cause: error });
        }),
    },
    close: () => pool.end(),
  };
}
