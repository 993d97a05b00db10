import { runGit } from './run-git.js';
import type { ScratchRepo } from './scratch-repo.js';

/** A detached worktree of `commit` at `dir`, registered in the scratch repository. */
export async function addWorktree(scratch: ScratchRepo, dir: string, commit: string): Promise<void> {
  await scratch.run(['worktree', 'add', '--quiet', '--detach', '--', dir, commit]);
}

/** Forget the scratch repository's worktrees whose directories are gone. */
export async function pruneWorktrees(scratch: ScratchRepo): Promise<void> {
  await scratch.run(['worktree', 'prune']);
}

/**
 * Put a worktree back to exactly `commit`: tracked files reset, everything else (ignored
 * files included) removed. `adminDir` is the worktree's directory in the scratch repository,
 * named explicitly so the worktree's own `.git` file is never trusted.
 */
export async function resetWorktree(worktree: { dir: string; adminDir: string }, commit: string): Promise<void> {
  const options = { cwd: worktree.dir, env: { GIT_DIR: worktree.adminDir, GIT_WORK_TREE: worktree.dir } };
  await runGit(['reset', '--quiet', '--hard', commit], options);
  await runGit(['clean', '-ffdxq'], options);
}
