import { chmod, lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * `rm -rf`, also when a build left read-only directories behind (Go's module cache, some
 * `target/` contents): on EACCES/EPERM, make every directory writable and try again.
 */
export async function removeTree(path: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true, maxRetries: 2 });
  } catch (error) {
    if (!isPermissionError(error)) throw error;
    await makeWritable(path);
    await rm(path, { recursive: true, force: true, maxRetries: 2 });
  }
}

/**
 * Best effort, on purpose: whatever this cannot fix (an entry gone meanwhile, one we may not
 * chmod), the second `rm` reports with its own reason.
 */
async function makeWritable(path: string): Promise<void> {
  const info = await lstat(path).catch(() => null);
  if (info === null || !info.isDirectory()) return;
  await chmod(path, 0o700).catch(() => undefined);
  const entries = await readdir(path).catch(() => []);
  for (const entry of entries) await makeWritable(join(path, entry));
}

function isPermissionError(error: unknown): boolean {
  return error instanceof Error && 'code' in error && (error.code === 'EACCES' || error.code === 'EPERM');
}
