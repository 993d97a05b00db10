import { pino, type Logger } from 'pino';
import type { Redactor } from './redact.js';

export type { Logger };

/**
 * The one logger: pino, JSON lines on stderr (stdout belongs to the results table and
 * `--json`), every line passed through the redactor before it is written.
 */
export function createLogger(options: {
  redact: Redactor;
  level?: string;
  destination?: NodeJS.WritableStream;
}): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base: undefined,
      hooks: { streamWrite: (line: string) => options.redact(line) },
    },
    (options.destination ?? process.stderr) as pino.DestinationStream,
  );
}
