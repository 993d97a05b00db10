/**
 * The check cannot run at all — no `cargo` or `rustc` where the sandbox looks, a library the
 * toolchain loads missing, bwrap not installed: every file would fail the same way, so it is a
 * failure of the run (exit 1, this one line), not a red check of each file.
 */
export class CheckCannotRunError extends Error {
  constructor(why: string) {
    super(`the check cannot run: ${why}`);
    this.name = 'CheckCannotRunError';
  }
}
