#!/usr/bin/env node
// Writes deploy/seccomp-bwrap.json: a seccomp profile for Docker/Podman
// (`--security-opt seccomp=deploy/seccomp-bwrap.json`) that lets bubblewrap build the check's
// sandbox inside the container. It has the shape of Docker's default profile (refuse what is not
// listed, EPERM) but, unlike it, lets an unprivileged process create namespaces: clone/clone3
// with any flags, unshare, setns, mount, umount2, pivot_root, chroot. Those act only inside the
// user namespace the process creates; the kernel interfaces that are not namespaced stay refused
// (REFUSED below, with why). The allowed names are every syscall in the kernel's x86_64 and
// i386 tables (the linux-libc-dev headers) plus NEWER ones, minus REFUSED; a name an
// architecture does not have is skipped by the runtime.
// Usage: node scripts/seccomp-profile.mjs [out]   (default: deploy/seccomp-bwrap.json)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const HEADERS = ['/usr/include/x86_64-linux-gnu/asm/unistd_64.h', '/usr/include/x86_64-linux-gnu/asm/unistd_32.h'];

/** Syscalls added to Linux after the headers this was generated with (6.1), harmless to allow. */
const NEWER = [
  'cachestat',
  'fchmodat2',
  'futex_requeue',
  'futex_wait',
  'futex_waitv',
  'futex_wake',
  'getxattrat',
  'listmount',
  'listxattrat',
  'map_shadow_stack',
  'mseal',
  'removexattrat',
  'setxattrat',
  'statmount',
];

/** Refused, as in Docker's default profile: not namespaced, or kernel attack surface a build never needs. */
const REFUSED = {
  // Loading code into the kernel, or replacing it.
  init_module: 'kernel modules',
  finit_module: 'kernel modules',
  delete_module: 'kernel modules',
  create_module: 'kernel modules',
  query_module: 'kernel modules',
  get_kernel_syms: 'kernel modules',
  kexec_load: 'loads a new kernel',
  kexec_file_load: 'loads a new kernel',
  bpf: 'eBPF programs in the kernel',
  reboot: 'reboots the host',
  // Host-wide state no namespace isolates.
  acct: 'process accounting',
  swapon: 'swap',
  swapoff: 'swap',
  settimeofday: 'the host clock',
  stime: 'the host clock',
  clock_settime: 'the host clock',
  clock_settime64: 'the host clock',
  syslog: 'the kernel log',
  quotactl: 'disk quotas',
  quotactl_fd: 'disk quotas',
  nfsservctl: 'the NFS server',
  lookup_dcookie: 'profiling',
  perf_event_open: 'kernel profiling',
  fanotify_init: 'watches the whole file system',
  add_key: 'the kernel keyring is not namespaced',
  request_key: 'the kernel keyring is not namespaced',
  keyctl: 'the kernel keyring is not namespaced',
  open_by_handle_at: 'opens files by handle, past mount boundaries',
  name_to_handle_at: 'file handles (see open_by_handle_at)',
  // Hardware and old interfaces.
  iopl: 'I/O ports',
  ioperm: 'I/O ports',
  modify_ldt: 'old x86 interface, attack surface',
  vm86: 'old x86 interface',
  vm86old: 'old x86 interface',
  uselib: 'old interface',
  sysfs: 'old interface',
  _sysctl: 'old interface',
  ustat: 'old interface',
  vhangup: 'terminals of other processes',
  // Memory placement across the host's NUMA nodes, and reaching into other processes.
  mbind: 'NUMA policy (CAP_SYS_NICE in Docker)',
  set_mempolicy: 'NUMA policy (CAP_SYS_NICE in Docker)',
  set_mempolicy_home_node: 'NUMA policy (CAP_SYS_NICE in Docker)',
  migrate_pages: 'NUMA policy (CAP_SYS_NICE in Docker)',
  move_pages: 'NUMA policy (CAP_SYS_NICE in Docker)',
  kcmp: 'compares other processes (CAP_SYS_PTRACE in Docker)',
  pidfd_getfd: "takes another process's files (CAP_SYS_PTRACE in Docker)",
  userfaultfd: 'kernel exploitation aid',
  io_uring_setup: 'large attack surface; Node and cargo fall back without it',
  io_uring_enter: 'large attack surface',
  io_uring_register: 'large attack surface',
  personality: 'allowed below for the usual personas only',
};

/** personality(2) with the values Docker's default allows: Linux, Linux32, UNAME26 and the query. */
const PERSONALITIES = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

export function seccompProfile(headers = HEADERS) {
  const names = new Set(NEWER);
  for (const header of headers) {
    for (const match of readFileSync(header, 'utf8').matchAll(/^#define __NR_(\w+)\s+\d+/gm)) names.add(match[1]);
  }
  const allowed = [...names].filter((name) => !(name in REFUSED)).sort();
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    archMap: [
      { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
      { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
    ],
    syscalls: [
      { names: allowed, action: 'SCMP_ACT_ALLOW' },
      ...PERSONALITIES.map((value) => ({
        names: ['personality'],
        action: 'SCMP_ACT_ALLOW',
        args: [{ index: 0, value, valueTwo: 0, op: 'SCMP_CMP_EQ' }],
      })),
    ],
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? resolve(ROOT, 'deploy', 'seccomp-bwrap.json'));
  writeFileSync(out, `${JSON.stringify(seccompProfile(), null, 2)}\n`);
  process.stdout.write(`wrote ${out}\n`);
}
