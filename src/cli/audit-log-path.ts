import { isAbsolute, join, resolve } from 'node:path';

/**
 * Where the CLI's audit log is: as configured (relative to the repository root), else beside
 * the repository's own data in its git directory — kept with the clone, shared by its
 * worktrees, and outside the work tree a run promises not to touch.
 */
export function auditLogPathFor(configured: string | undefined, repo: { topLevel: string; commonDir: string }): string {
  if (configured === undefined) return join(repo.commonDir, 'scrum-apply', 'audit.jsonl');
  return isAbsolute(configured) ? configured : resolve(repo.topLevel, configured);
}
