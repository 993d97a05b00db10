/** A configuration problem the user must fix; the CLI maps it to exit code 1. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
