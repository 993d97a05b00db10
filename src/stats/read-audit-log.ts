import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { formatZodIssues } from '../config/format-zod-issues.js';
import { splitLineBatches } from '../reviews/split-line-batches.js';
import { hasStatsRowShape, StatsRow } from './stats-row.js';

/** What reading one audit log found. */
export interface AuditLogSummary {
  path: string;
  /** Non-blank lines, good or malformed. */
  rows: number;
  malformed: number;
  /** The first MAX_PROBLEMS problems (`line N: why`); `malformed` has the full count. */
  problems: string[];
}

/** An audit log that cannot be read at all (missing, a directory, unreadable): the command fails. */
export class AuditLogError extends Error {
  override readonly name = 'AuditLogError';
}

export const MAX_PROBLEMS = 20;
/** Audit rows are a few hundred bytes; a line this long is not one of ours. */
const MAX_LINE_BYTES = 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;
const OPEN_BRACE = 0x7b;

/**
 * Streams one JSONL audit log into `take`, row by row, never holding more than a chunk and a
 * line: a million rows cost the reader a few megabytes. A malformed line is skipped and counted.
 */
export async function readAuditLog(path: string, take: (row: StatsRow) => void): Promise<AuditLogSummary> {
  const handle = await openLog(path);
  const stream = handle.createReadStream({ highWaterMark: CHUNK_BYTES, autoClose: true });
  const summary: AuditLogSummary = { path, rows: 0, malformed: 0, problems: [] };
  const problem = (line: number, reason: string) => {
    summary.malformed += 1;
    if (summary.problems.length < MAX_PROBLEMS) summary.problems.push(`line ${line}: ${reason}`);
  };
  try {
    for await (const batch of splitLineBatches(stream, MAX_LINE_BYTES)) {
      for (const raw of batch) {
        if (raw.tooLong) {
          summary.rows += 1;
          problem(raw.line, `longer than ${MAX_LINE_BYTES} bytes`);
          continue;
        }
        // Lenient decoding: a stray byte can only spoil the line it is in.
        const text = raw.bytes.toString('utf8');
        if (raw.bytes[0] !== OPEN_BRACE && text.trim() === '') continue;
        summary.rows += 1;
        const parsed = parseAuditRow(text);
        if (typeof parsed === 'string') problem(raw.line, parsed);
        else take(parsed);
      }
    }
  } catch (error) {
    throw new AuditLogError(`cannot read audit log ${path}: ${errorCode(error) ?? 'read failed'}`, { cause: error });
  } finally {
    stream.destroy();
  }
  return summary;
}

/**
 * Where audit rows come from: a JSONL file (readAuditLog), or the server's audit table
 * (jobs/audit-table-source.ts). `read` streams them into `take`, skipping and counting malformed ones.
 */
export interface AuditSource {
  /** The file's path, or a name for the table (`postgres://host/db#github:acme/widgets`). */
  name: string;
  read(take: (row: StatsRow) => void): Promise<AuditLogSummary>;
}

/** A JSONL audit log as an AuditSource. */
export function auditLogSource(path: string): AuditSource {
  return { name: path, read: (take) => readAuditLog(path, take) };
}

/** One audit row's JSON text: the row, or why it is not one (wherever the text came from). */
export function parseAuditRow(text: string): StatsRow | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parser's message quotes the line: untrusted, maybe huge.
    return 'not valid JSON';
  }
  if (hasStatsRowShape(value)) return value;
  const parsed = StatsRow.safeParse(value);
  return parsed.success ? parsed.data : formatZodIssues(parsed.error.issues);
}

async function openLog(path: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    // O_NONBLOCK: a FIFO at this path fails the regular-file test below instead of hanging.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = errorCode(error);
    throw new AuditLogError(code === 'ENOENT' ? `audit log not found: ${path}` : `cannot open audit log ${path}: ${code ?? 'unknown error'}`, {
      cause: error,
    });
  }
  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    throw new AuditLogError(`audit log is not a regular file: ${path}`);
  }
  return handle;
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
