import { ConfigError } from '../config/load-config.js';
import { createRedactor, describeError, secretsFromEnv } from '../log/redact.js';
import { ExitError } from './exit-error.js';
import { parseCliArgs, USAGE } from './parse-cli-args.js';
import { runRunCommand, type CliIo } from './run-command.js';
import { runStatsCommand } from './stats-command.js';

/**
 * The CLI in one function, so tests run it in-process. Only here are errors turned into
 * exit codes: 0 the command completed, 1 it failed, 2 usage error. Messages are one line.
 */
export async function runCli(argv: string[], io: CliIo, version: string): Promise<number> {
  const redact = createRedactor(secretsFromEnv(io.env));
  let name = 'run';
  try {
    const command = parseCliArgs(argv);
    name = command.type;
    if (command.type === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (command.type === 'version') {
      io.stdout.write(`${version}\n`);
      return 0;
    }
    if (command.type === 'stats') return await runStatsCommand(command, io);
    return await runRunCommand(command, io);
  } catch (error) {
    const code = error instanceof ExitError ? error.exitCode : 1;
    const prefix = error instanceof ExitError || error instanceof ConfigError ? '' : `${name} failed: `;
    io.stderr.write(`scrum-apply: ${prefix}${describeError(error, redact)}\n`);
    return code;
  }
}
