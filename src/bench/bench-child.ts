import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { z } from 'zod';
import { runCli } from '../cli/run-cli.js';

/**
 * One `scrum-apply` CLI run in a process of its own, so its peak RSS is the bot's alone.
 * argv[2]: JSON `{ cwd, args }`; the environment is the bot's. Prints one JSON line: the exit
 * code, the `--json` report, wall time since the process started, peak RSS and CPU time.
 */
const Spec = z.object({ cwd: z.string(), args: z.array(z.string()) });

/** Keeps the last `max` characters written (the log tail, for a failed run). */
function tail(max: number): { stream: Writable; text: () => string } {
  let text = '';
  return {
    stream: new Writable({
      write(chunk: Buffer, _encoding, done) {
        text = (text + chunk.toString('utf8')).slice(-max);
        done();
      },
    }),
    text: () => text,
  };
}

/**
 * CPU time of the finished child processes (git, cargo, bwrap…) from /proc (Linux; clock
 * ticks of 10 ms); null elsewhere.
 */
function childrenCpuMs(): number | null {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
    const cutime = Number(fields[13]);
    const cstime = Number(fields[14]);
    return Number.isFinite(cutime) && Number.isFinite(cstime) ? (cutime + cstime) * 10 : null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const spec = Spec.parse(JSON.parse(process.argv[2] ?? '{}'));
  const stdout = tail(64 * 1024 * 1024);
  const stderr = tail(16 * 1024);
  const code = await runCli(spec.args, { stdout: stdout.stream, stderr: stderr.stream, env: process.env, cwd: spec.cwd }, 'bench');
  const cpu = process.cpuUsage();
  const line = {
    code,
    wallMs: Math.round(performance.now()),
    maxRssKb: process.resourceUsage().maxRSS,
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    childrenCpuMs: childrenCpuMs(),
    report: code === 0 ? JSON.parse(stdout.text()) : null,
    log: code === 0 ? '' : stderr.text(),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

await main();
