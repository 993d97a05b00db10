import { readFileSync, writeSync } from 'node:fs';

/**
 * Preloaded (`node --import`) into a measured `scrum-apply` run, the shipped bin itself: as
 * the process exits it writes one JSON line to file descriptor 3, which the benchmark opened
 * for it: the exit code, wall time since the process started (module loading included), peak
 * RSS and CPU time, its own and that of the child processes it waited for.
 */

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

process.on('exit', (code) => {
  const cpu = process.cpuUsage();
  const line = {
    code,
    wallMs: Math.round(performance.now()),
    maxRssKb: process.resourceUsage().maxRSS,
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    childrenCpuMs: childrenCpuMs(),
  };
  writeSync(3, `${JSON.stringify(line)}\n`);
});
