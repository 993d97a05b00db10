import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitToNewOrigin, personGit } from '../demo/create-demo-repo.js';

/** Where Debian's `librust-*-dev` packages put crate sources (a directory source, with .cargo-checksum.json). */
export const DEBIAN_REGISTRY = '/usr/share/cargo/registry';

/** The Debian packages a real workspace of these crates needs (for apt-get install). */
export const DEBIAN_PACKAGES = ['librust-regex-dev'];

/** The source directory of crate `name` in Debian's registry (the newest version there), or null. */
export function debianCrate(name: string): string | null {
  if (!existsSync(DEBIAN_REGISTRY)) return null;
  const found = readdirSync(DEBIAN_REGISTRY)
    .filter((dir) => dir.startsWith(`${name}-`) && /^\d/.test(dir.slice(name.length + 1)))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const last = found.at(-1);
  return last === undefined ? null : join(DEBIAN_REGISTRY, last);
}

export interface RealWorkspaceSpec {
  /** Crates that are the workspace's own packages (each at `<name>/`), patched into the graph with `[patch.crates-io]`. */
  members: string[];
  /** Crates their dependencies need, vendored under `vendor/` (a directory source in `.cargo/config.toml`). */
  vendored: string[];
}

/** The small real workspace of the test suite: aho-corasick, with memchr vendored. */
export const SMALL_REAL_WORKSPACE: RealWorkspaceSpec = { members: ['aho-corasick'], vendored: ['memchr'] };
/** The bench's: regex, regex-syntax (a 5,930-line parser) and aho-corasick, with memchr vendored. */
export const REAL_WORKSPACE: RealWorkspaceSpec = { members: ['regex', 'regex-syntax', 'aho-corasick'], vendored: ['memchr'] };

/** Which crates of `spec` Debian's registry lacks here (install DEBIAN_PACKAGES). */
export function missingCrates(spec: RealWorkspaceSpec): string[] {
  return [...spec.members, ...spec.vendored].filter((name) => debianCrate(name) === null);
}

/**
 * A real repository (at `<root>/work`, with a bare `<root>/origin.git`) whose Cargo workspace
 * is made of real crates from Debian's registry, offline: the members' sources as published
 * (their dev-dependencies dropped: Debian does not ship them all), and every other dependency
 * vendored through `.cargo/config.toml` — `[source.crates-io] replace-with` a directory source,
 * as `cargo vendor` sets it up. Cargo.lock is committed.
 */
export function createRealWorkspaceRepo(root: string, spec: RealWorkspaceSpec, lockWith: { cargo: string; env: NodeJS.ProcessEnv }): { dir: string; origin: string } {
  const missing = missingCrates(spec);
  if (missing.length > 0) throw new Error(`Debian's crate sources for ${missing.join(', ')} are missing: apt-get install ${DEBIAN_PACKAGES.join(' ')}`);
  const dir = join(root, 'work');
  const origin = join(root, 'origin.git');
  mkdirSync(join(dir, '.cargo'), { recursive: true });
  for (const name of spec.members) {
    cpSync(debianCrate(name) as string, join(dir, name), { recursive: true });
    rmSync(join(dir, name, '.cargo-checksum.json'), { force: true });
    const manifest = join(dir, name, 'Cargo.toml');
    writeFileSync(manifest, withoutDevDependencies(readFileSync(manifest, 'utf8')));
  }
  for (const name of spec.vendored) cpSync(debianCrate(name) as string, join(dir, 'vendor', name), { recursive: true });
  const patches = spec.members.map((name) => `${name} = { path = "${name}" }`).join('\n');
  writeFileSync(join(dir, 'Cargo.toml'), `[workspace]\nmembers = [${spec.members.map((m) => `"${m}"`).join(', ')}]\nresolver = "2"\n\n[patch.crates-io]\n${patches}\n`);
  writeFileSync(join(dir, '.cargo', 'config.toml'), '[source.crates-io]\nreplace-with = "vendored-sources"\n\n[source.vendored-sources]\ndirectory = "vendor"\n');
  writeFileSync(join(dir, '.gitignore'), '/target\n');
  personGit(dir, 'init', '-q', '-b', 'main');
  personGitLock(dir, lockWith);
  commitToNewOrigin({ root, dir, origin, message: 'real crates, vendored' });
  return { dir, origin };
}

/** The maintainer's own cargo writes the lock file (offline: everything is vendored). */
function personGitLock(dir: string, lockWith: { cargo: string; env: NodeJS.ProcessEnv }): void {
  execFileSync(lockWith.cargo, ['generate-lockfile', '--offline'], { cwd: dir, env: lockWith.env, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A published Cargo.toml without its `[dev-dependencies…]` tables. */
function withoutDevDependencies(manifest: string): string {
  let skipping = false;
  return manifest
    .split('\n')
    .filter((line) => {
      if (line.startsWith('[')) skipping = /^\[(target\..*\.)?dev-dependencies/.test(line);
      return !skipping;
    })
    .join('\n');
}
