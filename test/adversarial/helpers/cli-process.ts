import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleCli } from '../../../scripts/bundle.mjs';

const ROOT = resolve(import.meta.dirname, '../../..');

export interface ProcessOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Hash of everything the build reads, so a cached build is reused only for the same sources. */
function sourceHash(): string {
  const hash = createHash('sha256');
  for (const name of ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'scripts/bundle.mjs']) hash.update(readFileSync(join(ROOT, name)));
  const files = readdirSync(join(ROOT, 'src'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  for (const file of files) hash.update(file).update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

/** Where package.json's `scrum-apply` bin lives, relative to the package root. */
function binPath(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin?: Record<string, string> };
  const bin = pkg.bin?.['scrum-apply'];
  if (bin === undefined) throw new Error('package.json has no scrum-apply bin');
  return bin;
}

/**
 * The CLI built from the current sources into a temp dir as `npm run build` builds it (tsc,
 * then the bundle; cached by source hash), so a test can run the shipped bin as its own
 * process: with the token in its real environment, as in CI, where `/proc/<pid>/environ`
 * holds it.
 */
export async function compiledCli(): Promise<string> {
  const dir = join(tmpdir(), `scrum-apply-adversarial-cli-${sourceHash()}`);
  const bin = binPath();
  const main = join(dir, bin);
  if (existsSync(main)) return main;
  // Builds of older sources, unused for an hour (another test file may be using a recent one).
  for (const name of readdirSync(tmpdir())) {
    const old = join(tmpdir(), name);
    if (name.startsWith('scrum-apply-adversarial-cli-') && statSync(old).mtimeMs < Date.now() - 3_600_000) rmSync(old, { recursive: true, force: true });
  }
  const staging = `${dir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  // Type errors elsewhere (work in progress) do not stop the emit; a missing main.js does.
  await new Promise<void>((done) => {
    execFile(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(staging, 'dist'), '--sourceMap', 'false'], { cwd: ROOT }, () => done());
  });
  if (!existsSync(join(staging, 'dist', 'cli', 'main.js'))) throw new Error(`compiling the CLI into ${staging} failed`);
  cpSync(join(ROOT, 'package.json'), join(staging, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(staging, 'node_modules'));
  await bundleCli(join(staging, 'dist'));
  if (!existsSync(join(staging, bin))) throw new Error(`the bundle is not where package.json's bin points: ${bin}`);
  try {
    renameSync(staging, dir);
  } catch {
    // Another test file built it meanwhile: use theirs.
    rmSync(staging, { recursive: true, force: true });
  }
  return main;
}

/** Runs the compiled CLI as `scrum-apply ...args` in `cwd` with exactly `env`. */
export function runCliProcess(main: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<ProcessOutcome> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [main, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}
