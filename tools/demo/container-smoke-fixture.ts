import { execFileSync } from 'node:child_process';
import { chownSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { createDemoRepo } from './create-demo-repo.js';
import { startLlmStandIn } from './llm-stand-in.js';
import { DEMO_EXAMPLES, recordedAnswers } from './recorded-answers.js';

/**
 * The host side of scripts/container-smoke.sh: the demo repository (with a config that
 * requires the bubblewrap sandbox) under a fresh directory given to the container's user, and
 * the LLM stand-in on 127.0.0.1. Prints one JSON line ({root, dir, llmUrl}), then waits for its
 * stdin to close (the container's CLI has run) and checks what that run left: the two green
 * files' branches on origin, the audit rows. Exit 0 when all is as the demo expects.
 * Usage: node container-smoke-fixture.js UID:GID   (the image's `node` user)
 */
const EXPECTED: Record<string, string> = {
  'crates/geometry/src/shapes.rs': 'committed',
  'crates/report/src/format.rs': 'committed',
  'crates/report/src/lib.rs': 'build_red_reverted',
  'crates/geometry/src/units.rs': 'all_rejected',
  'crates/geometry/src/lib.rs': 'no_patches',
};

const AuditAction = z.object({ file: z.string(), action: z.string() });

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  for (const entry of readdirSync(path, { withFileTypes: true, recursive: true })) chownSync(join(entry.parentPath, entry.name), uid, gid);
}

/** Problems with the run the container made, or [] when it did what the demo does. */
function verify(dir: string, origin: string): string[] {
  const problems: string[] = [];
  // The tree now belongs to the container's user: let git read it anyway.
  const refs = execFileSync('git', ['-c', 'safe.directory=*', '--git-dir', origin, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/scrum-apply/'], {
    encoding: 'utf8',
  });
  const branches = refs.trim().split('\n').filter(Boolean).sort();
  const wanted = Object.keys(EXPECTED).filter((f) => EXPECTED[f] === 'committed').map((f) => `scrum-apply/${f}`).sort();
  if (JSON.stringify(branches) !== JSON.stringify(wanted)) problems.push(`branches on origin: ${branches.join(', ') || 'none'}; wanted ${wanted.join(', ')}`);
  let rows: Array<z.infer<typeof AuditAction>> = [];
  try {
    const lines = readFileSync(join(dir, '.git/scrum-apply/audit.jsonl'), 'utf8').split('\n').filter(Boolean);
    rows = lines.map((line) => AuditAction.parse(JSON.parse(line)));
  } catch (error) {
    problems.push(`no audit log: ${error instanceof Error ? error.message : String(error)}`);
  }
  for (const [file, action] of Object.entries(EXPECTED)) {
    const row = rows.find((r) => r.file === file);
    if (row?.action !== action) problems.push(`${file}: ${String(row?.action ?? 'no audit row')}, wanted ${action}`);
  }
  return problems;
}

async function main(): Promise<number> {
  const [uid, gid] = (process.argv[2] ?? '1000:1000').split(':').map(Number);
  const root = mkdtempSync(join('/var/tmp', 'scrum-apply-smoke-'));
  const repo = createDemoRepo(root, { '.github/scrum-apply.yml': 'check:\n  sandbox: bwrap\n' });
  mkdirSync(join(repo.dir, 'data/_kb'), { recursive: true });
  cpSync(join(DEMO_EXAMPLES, 'scrum_reviews.jsonl'), join(repo.dir, 'data/_kb/scrum_reviews.jsonl'));
  chownTree(root, uid ?? 1000, gid ?? 1000);
  const answer = recordedAnswers();
  const llm = await startLlmStandIn((request) => answer(request.prompt));
  try {
    process.stdout.write(`${JSON.stringify({ root, dir: repo.dir, llmUrl: llm.url })}\n`);
    process.stdin.resume();
    await new Promise((done) => process.stdin.on('end', done));
    const problems = verify(repo.dir, repo.origin);
    for (const problem of problems) process.stderr.write(`container-smoke: ${problem}\n`);
    if (problems.length === 0) process.stderr.write(`container-smoke: the demo ran in the container (${llm.requests.length} model requests): 2 branches pushed, 1 check red\n`);
    return problems.length === 0 ? 0 : 1;
  } finally {
    await llm.close();
    rmSync(root, { recursive: true, force: true });
  }
}

process.exitCode = await main();
