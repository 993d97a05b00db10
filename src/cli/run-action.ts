import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { z } from 'zod';
import { createRedactor, describeError, secretsFromEnv } from '../log/redact.js';
import { actionInvocation } from './action-inputs.js';
import { ExitError } from './exit-error.js';
import { appendGitHubOutputs } from './github-output.js';
import type { CliIo } from './run-command.js';
import { runCli } from './run-cli.js';

/** The report fields the outputs count (the CLI's `--json`; everything else passes through). */
const ReportCounts = z.object({ results: z.array(z.object({ action: z.string() })) });

/** What action.yml declares under `outputs`. */
export interface ActionOutputs {
  report: string;
  opened: string;
  updated: string;
  red: string;
}

export function countOutputs(report: z.infer<typeof ReportCounts>, reportPath: string): ActionOutputs {
  const count = (action: string) => String(report.results.filter((r) => r.action === action).length);
  return { report: reportPath, opened: count('pr_opened'), updated: count('pr_updated'), red: count('build_red_reverted') };
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      callback();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/**
 * The GitHub Action (action.yml): `scrum-apply run --json` with flags from the `INPUT_*`
 * variables, then the JSON report written to a file under RUNNER_TEMP and its path and counts
 * written to `$GITHUB_OUTPUT`. Returns the exit code (the CLI's: 0, 1 or 2).
 */
export async function runAction(io: CliIo): Promise<number> {
  let invocation;
  try {
    invocation = actionInvocation(io.env);
  } catch (error) {
    io.stderr.write(`scrum-apply: ${describeError(error, createRedactor(secretsFromEnv(io.env)))}\n`);
    return error instanceof ExitError ? error.exitCode : 1;
  }
  const { argv, env } = invocation;
  const redact = createRedactor(secretsFromEnv(env));
  const json = collector();
  const code = await runCli(argv, { stdout: json.stream, stderr: io.stderr, env, cwd: io.cwd }, 'action');
  if (code !== 0) return code;

  try {
    const text = json.text();
    const report = ReportCounts.parse(JSON.parse(text));
    const dir = await mkdtemp(join(env.RUNNER_TEMP || tmpdir(), 'scrum-apply-'));
    const reportPath = join(dir, 'report.json');
    await writeFile(reportPath, text);
    const outputs = countOutputs(report, reportPath);
    if (env.GITHUB_OUTPUT) await appendGitHubOutputs(env.GITHUB_OUTPUT, { ...outputs });
    io.stdout.write(`scrum-apply: report ${reportPath} (PRs opened ${outputs.opened}, updated ${outputs.updated}; red ${outputs.red})\n`);
    return 0;
  } catch (error) {
    io.stderr.write(`scrum-apply: run failed: cannot write the Action's outputs: ${describeError(error, redact)}\n`);
    return 1;
  }
}
