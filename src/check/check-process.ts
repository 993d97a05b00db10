import { spawn, type ChildProcess } from 'node:child_process';
import type { OutputBuffer } from './check-output.js';

/** How long to wait for the output pipes to close after the process itself has exited. */
const PIPE_GRACE_MS = 2_000;
/** setTimeout's ceiling; anything larger fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ProcessSpec {
  file: string;
  args: string[];
  cwd: string;
  /** The complete environment (nothing is inherited). */
  env: Record<string, string>;
  timeoutMs: number;
  /** stdout and stderr both go here, in arrival order. */
  output: OutputBuffer;
  /** Where stdout goes instead of `output`, when set (e.g. a parser of Cargo's JSON). */
  stdout?: OutputBuffer;
  signal?: AbortSignal;
}

export interface ProcessOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** Set when the process could not be started at all. */
  spawnError: string | null;
  /** Set when killing the process group failed for another reason than its being empty (e.g. EPERM). */
  killError: string | null;
}

/**
 * Runs one process in its own process group and kills the whole group (SIGKILL) at the time
 * limit, on abort, and once the process has exited (so nothing it left in its group lingers).
 * A descendant that called setsid() has left the group and is out of reach here: only the
 * bwrap PID namespace catches those. Never rejects.
 */
export function runProcess(spec: ProcessSpec): Promise<ProcessOutcome> {
  return new Promise((resolve) => {
    let timedOut = false;
    let aborted = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let settled = false;
    let killError: string | null = null;
    let child: ChildProcess;
    const timers: NodeJS.Timeout[] = [];

    const finish = (spawnError: string | null) => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onAbort);
      resolve({ exitCode: exit?.code ?? null, signal: exit?.signal ?? null, timedOut, aborted, spawnError, killError });
    };
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch (error) {
        // ESRCH: the group is already empty — the usual case once the process has exited.
        // Anything else (EPERM: no member could be signalled) is reported with the outcome.
        const code = error instanceof Error && 'code' in error ? String(error.code) : '';
        if (code !== 'ESRCH') killError ??= error instanceof Error ? error.message : String(error);
      }
    };
    const onAbort = () => {
      aborted = true;
      killGroup();
    };

    try {
      child = spawn(spec.file, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      resolve({ exitCode: null, signal: null, timedOut, aborted, spawnError: error instanceof Error ? error.message : String(error), killError });
      return;
    }
    child.stdout?.on('data', (chunk: Buffer) => (spec.stdout ?? spec.output).write(chunk));
    child.stderr?.on('data', (chunk: Buffer) => spec.output.write(chunk));
    child.on('error', (error) => finish(error.message));
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      killGroup();
      // A descendant outside the group may still hold the pipes open; do not wait for it forever.
      timers.push(
        setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          finish(null);
        }, PIPE_GRACE_MS),
      );
    });
    child.on('close', () => finish(null));

    timers.push(
      setTimeout(() => {
        if (exit) return;
        timedOut = true;
        killGroup();
      }, Math.max(0, Math.min(spec.timeoutMs, MAX_TIMER_MS))),
    );
    if (spec.signal?.aborted) onAbort();
    else spec.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
