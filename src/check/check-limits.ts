/** Per-process resource limits for the check, applied with util-linux `prlimit`. */
export interface ResourceLimits {
  /** RLIMIT_AS per process. rustc maps a lot of address space; 8 GiB leaves it room. */
  addressSpaceBytes: number;
  /**
   * RLIMIT_NPROC. Threads count too, and cargo runs one rustc per core with helper threads,
   * so this is generous. Only applied in the sandbox: inside bwrap's own user namespace the
   * kernel counts the sandbox's tasks, outside it would count every task of the bot's user.
   */
  processes: number;
  /** RLIMIT_FSIZE: the largest file any process may write. */
  fileSizeBytes: number;
}

export const DEFAULT_LIMITS: ResourceLimits = {
  addressSpaceBytes: 8 * 1024 ** 3,
  processes: 1024,
  fileSizeBytes: 1024 ** 3,
};

/** `prlimit … --` to put before the check's argv; no core dumps either (they would land in the tree). */
export function prlimitPrefix(prlimit: string, limits: ResourceLimits, sandboxed: boolean): string[] {
  return [
    prlimit,
    `--as=${limits.addressSpaceBytes}`,
    `--fsize=${limits.fileSizeBytes}`,
    '--core=0',
    ...(sandboxed ? [`--nproc=${limits.processes}`] : []),
    '--',
  ];
}
