import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/run-cli.js';
import { createDemoRepo, personGit } from './create-demo-repo.js';
import { startLlmStandIn } from './llm-stand-in.js';
import { DEMO_EXAMPLES as EXAMPLES, recordedAnswers } from './recorded-answers.js';

/**
 * `npm run demo`: the whole pipeline with `--apply --forge none` on the bundled example —
 * a Cargo workspace committed to a fresh repository with a bare `origin`, the bundled review
 * log, and a local LLM stand-in replaying recorded answers. No network, no credentials.
 */
async function main(): Promise<number> {
  const root = mkdtempSync(join(tmpdir(), 'scrum-apply-demo-'));
  const repo = createDemoRepo(root);
  mkdirSync(join(repo.dir, 'data/_kb'), { recursive: true });
  cpSync(join(EXAMPLES, 'scrum_reviews.jsonl'), join(repo.dir, 'data/_kb/scrum_reviews.jsonl'));
  const answer = recordedAnswers();
  const llm = await startLlmStandIn((request) => answer(request.prompt));
  process.stderr.write(`demo: repository ${repo.dir}, origin ${repo.origin}, LLM stand-in ${llm.url}\n`);
  try {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LANG: process.env.LANG,
      RUSTUP_HOME: process.env.RUSTUP_HOME,
      CARGO_HOME: process.env.CARGO_HOME,
      RUSTUP_TOOLCHAIN: process.env.RUSTUP_TOOLCHAIN,
      SCRUM_APPLY_LLM_URL: llm.url,
      SCRUM_APPLY_DATA_DIR: join(root, 'data'),
    };
    const io = { stdout: process.stdout, stderr: process.stderr, env, cwd: repo.dir };
    const code = await runCli(['run', '--apply', '--forge', 'none'], io, 'demo');
    if (code !== 0) return code;
    process.stdout.write(`\nBranches now on origin (${repo.origin}):\n`);
    const refs = personGit(repo.origin, 'for-each-ref', '--format=  %(refname:short)  %(objectname:short)  %(subject)', 'refs/heads/');
    process.stdout.write(refs);
    process.stdout.write(`\nAudit log: ${join(repo.dir, '.git/scrum-apply/audit.jsonl')}\n`);
    process.stdout.write(`Everything is under ${root} (delete it when done).\n`);
    return 0;
  } finally {
    await llm.close();
  }
}

process.exitCode = await main();
