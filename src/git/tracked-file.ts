import { isUtf8 } from 'node:buffer';
import { checkPathSyntax } from '../reviews/path-safety.js';
import type { ObjectStore, TreeEntry } from './object-store.js';

/** Larger sources are not what a mechanical fix is for, and they would swamp the prompt. */
export const MAX_TRACKED_FILE_BYTES = 1024 * 1024;

export type FileMode = '100644' | '100755';

export type TrackedFile = { type: 'file'; content: Buffer; mode: FileMode; /** Its blob id. */ blob: string } | { type: 'rejected'; reason: string };

/**
 * A source file as the base commit has it, from git objects (never the working tree): only a
 * regular, UTF-8, NUL-free blob of at most 1 MiB. Everything else is a reason, not an error.
 */
export async function readTrackedFile(objects: ObjectStore, baseSha: string, path: string): Promise<TrackedFile> {
  const syntax = checkPathSyntax(path);
  if (!syntax.ok) return { type: 'rejected', reason: syntax.reason };
  const entry = await objects.entryAt(baseSha, path);
  const reason = entryProblem(entry, baseSha);
  if (reason !== null || entry === null) return { type: 'rejected', reason: reason ?? `not tracked at ${baseSha.slice(0, 7)}` };
  if (entry.size === null || entry.size > MAX_TRACKED_FILE_BYTES) {
    return { type: 'rejected', reason: `is too large (${entry.size ?? '?'} bytes; the limit is ${MAX_TRACKED_FILE_BYTES})` };
  }
  const content = await objects.blob(entry.sha);
  if (content.includes(0) || !isUtf8(content)) return { type: 'rejected', reason: 'is not UTF-8 text' };
  return { type: 'file', content, mode: entry.mode === '100755' ? '100755' : '100644', blob: entry.sha };
}

/** Why this entry is not a regular file we may read or replace; null when it is one. */
export function entryProblem(entry: TreeEntry | null, baseSha: string): string | null {
  if (entry === null) return `not tracked at ${baseSha.slice(0, 7)}`;
  if (entry.mode === '120000') return 'is a symlink';
  if (entry.mode === '160000') return 'is a submodule';
  if (entry.type === 'tree') return 'is a directory';
  if (entry.mode !== '100644' && entry.mode !== '100755') return `has an unexpected mode ${entry.mode}`;
  return null;
}

/**
 * The directory of the Cargo package `path` belongs to: the nearest directory at or above
 * the file's that holds a tracked `Cargo.toml` at the base (`''` for the root); null if none.
 */
export async function packageDirOf(objects: ObjectStore, baseSha: string, path: string): Promise<string | null> {
  const dirs = path.split('/').slice(0, -1);
  for (let depth = dirs.length; depth >= 0; depth -= 1) {
    const dir = dirs.slice(0, depth).join('/');
    const manifest = await objects.entryAt(baseSha, dir === '' ? 'Cargo.toml' : `${dir}/Cargo.toml`);
    if (manifest !== null && manifest.type === 'blob') return dir;
  }
  return null;
}
