/**
 * The patch model cannot be used at all: nothing answers at its URL (connection refused, no
 * such host, a port fetch will not use), or it refuses every request alike (401/403: the key;
 * 404: no such model or endpoint). A failure of the run, not of one file: every other file
 * would fail the same way, and a scheduled run that does nothing must not look green.
 * The message is one redacted line naming the URL and the cause.
 */
export class ModelUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelUnreachableError';
  }
}
