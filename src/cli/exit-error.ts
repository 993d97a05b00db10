/** A failure that ends the CLI with a specific exit code and a one-line message. */
export class ExitError extends Error {
  constructor(
    readonly exitCode: 1 | 2,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ExitError';
  }
}

/** A usage error (exit 2), pointing at the help that would have avoided it. */
export function usageError(message: string, help = 'scrum-apply --help'): ExitError {
  return new ExitError(2, `${message}; see ${help}`);
}
