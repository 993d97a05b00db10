import type { AuditAction, AuditRow } from './audit-row.js';

/** One selected file's outcome; the audit row carries the detail. */
export interface FileResult {
  file: string;
  action: AuditAction;
  reason: string | null;
  pr: { number: number; url: string } | null;
  branch: string | null;
  row: AuditRow;
  /** The file's input fingerprint (pipeline/input-fingerprint.ts), when the run computed it. */
  input?: string;
  /** Where the file's time went (the benchmark reads it); absent in older reports. */
  timing?: FileTiming;
}

/** A span of a file's processing, in milliseconds since the run started. */
export interface Span {
  startMs: number;
  endMs: number;
}

export interface FileTiming {
  /** From the file's start (it joins the LLM queue) to its result. */
  file: Span;
  /** The patch-model request itself, queueing excluded; null when none was made. */
  llm: Span | null;
  /** The check itself (`cargo fetch` included), waiting for a slot excluded; null when none ran. */
  check: Span | null;
}

export interface RunReport {
  runId: string;
  dryRun: boolean;
  forge: 'github' | 'gitea' | 'none';
  baseBranch: string;
  baseSha: string;
  /** In selection order (deterministic whatever order files finished in). */
  results: FileResult[];
  /** Files that did not pass the eligibility gates, with the reason. */
  skipped: Array<{ file: string; reason: string }>;
  /** Eligible files left for a later run (maxFiles), with the reason. */
  notProcessed: Array<{ file: string; reason: string }>;
  reviewRows: number;
  malformedLines: number;
  /** The first few malformed-line reasons, for the report. */
  problems: string[];
  durationMs: number;
}
