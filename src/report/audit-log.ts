import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditRow } from './audit-row.js';
import type { Redactor } from '../log/redact.js';

export interface AuditLog {
  readonly path: string;
  /** Append one row and flush it to disk before resolving: a crash loses no finished row. */
  append(row: AuditRow): Promise<void>;
}

/** The JSONL audit log. Appends are serialised, so concurrent files never interleave lines. */
export function createAuditLog(path: string, redact: Redactor): AuditLog {
  let tail: Promise<void> = Promise.resolve();
  async function write(row: AuditRow): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(path, 'a');
    try {
      await handle.write(`${redact(JSON.stringify(row))}\n`);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }
  return {
    path,
    append(row) {
      const next = tail.then(() => write(row));
      // The caller gets this row's failure through `next`; the chain only has to go on.
      tail = next.catch(() => undefined);
      return next;
    },
  };
}
