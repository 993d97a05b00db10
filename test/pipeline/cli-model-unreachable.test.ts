import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLlmStandIn, type LlmStandIn, type StandInReply, type RecordedRequest } from '../../tools/demo/llm-stand-in.js';
import { recordedAnswers } from '../../tools/demo/recorded-answers.js';
import { baseEnv, readAudit, review, runCliCaptured, writeReviewLog, type CliOutcome } from '../helpers/cli-harness.js';
import { createFixtureRepo, type FixtureRepo } from '../helpers/fixture-repo.js';

const KEY = 'sk-test-llm-key-0123456789abcdef';
const FILES = ['crates/geometry/src/shapes.rs', 'crates/report/src/format.rs', 'crates/geometry/src/units.rs'];

let repo: FixtureRepo;
let llm: LlmStandIn | null = null;
let auditPath: string;

beforeEach(() => {
  repo = createFixtureRepo();
  // shapes.rs first, then format.rs, then units.rs (by confidence_avg).
  writeReviewLog(repo.dir, FILES.map((file, i) => review(file, { confidence_avg: 97 - i })));
  auditPath = join(repo.root, 'audit.jsonl');
});

afterEach(async () => {
  await llm?.close();
  llm = null;
  repo.cleanup();
});

function run(url: string, args: string[] = []): Promise<CliOutcome> {
  const env = baseEnv({ SCRUM_APPLY_LLM_URL: url, SCRUM_APPLY_LLM_KEY: KEY, SCRUM_APPLY_DATA_DIR: join(repo.root, 'data') });
  return runCliCaptured(['run', '--audit-log', auditPath, ...args], repo.dir, env);
}

/** The lines of stderr that name `url`: the run's one error line, and nothing else. */
function linesNaming(result: CliOutcome, url: string): string[] {
  return result.stderr.split('\n').filter((line) => line.includes(url));
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

async function serve(reply: (request: RecordedRequest, index: number) => StandInReply): Promise<LlmStandIn> {
  let index = 0;
  llm = await startLlmStandIn((request) => reply(request, index++));
  return llm;
}

describe('a patch model that cannot be used fails the run', () => {
  it('connection refused: exit 1, one line naming the URL and the cause, no audit rows', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1`;
    const result = await run(url);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toBe('');
    const expected = `scrum-apply: run failed: the patch model at ${url}/chat/completions cannot be reached: connection refused (3 attempts)`;
    expect(linesNaming(result, url)).toEqual([expected]);
    expect(result.stderr.trimEnd().split('\n').at(-1)).toBe(expected);
    expect(readAudit(auditPath)).toEqual([]);
  });

  it('port 9 (one fetch refuses to use) with nothing listening: connection refused, and the port named, without retrying', async () => {
    const url = 'http://127.0.0.1:9/v1';
    const result = await run(url);
    expect(result.code, result.stderr).toBe(1);
    expect(linesNaming(result, url)).toEqual([
      `scrum-apply: run failed: the patch model at ${url}/chat/completions cannot be reached: connection refused; and port 9 is one fetch refuses to use (a "bad port"); choose another`,
    ]);
  });

  it('401 after a first answer: the file already done keeps its row, the rest are not asked, the key stays out', async () => {
    const answer = recordedAnswers();
    const server = await serve((request, i) =>
      i === 0 ? answer(request.prompt) : { status: 401, body: `invalid key: ${String(request.headers.authorization)}` },
    );
    const result = await run(`${server.url}/v1`, ['--concurrency', '1']);
    expect(result.code, result.stderr).toBe(1);
    expect(linesNaming(result, server.url)).toEqual([
      `scrum-apply: run failed: the patch model at ${server.url}/v1/chat/completions refused the request: HTTP 401 (the API key was refused: check SCRUM_APPLY_LLM_KEY): invalid key: Bearer [REDACTED]`,
    ]);
    expect(result.stderr).not.toContain(KEY);
    expect(server.requests).toHaveLength(2);
    expect(readAudit(auditPath).map((row) => [row.file, row.action])).toEqual([[FILES[0], 'dry_run_committed']]);
  });

  it('404 for the model: every file waiting for the model stops at once, after one request each in flight', async () => {
    const server = await serve(() => ({ status: 404, body: '{"error":"model \\"qwen3-coder:480b\\" not found, try pulling it first"}' }));
    const result = await run(`${server.url}/v1`, ['--concurrency', '2']);
    expect(result.code, result.stderr).toBe(1);
    expect(linesNaming(result, server.url)).toEqual([
      `scrum-apply: run failed: the patch model at ${server.url}/v1/chat/completions refused the request: HTTP 404 (no such model ("qwen3-coder:480b") or endpoint: check the model name and the URL): {"error":"model \\"qwen3-coder:480b\\" not found, try pulling it first"}`,
    ]);
    // Two requests were in flight together; the third file never reached the model.
    expect(server.requests).toHaveLength(2);
    expect(readAudit(auditPath)).toEqual([]);
  });

  it('a model that answers but proposes nothing: the run completes, exit 0', async () => {
    const server = await serve(() => '{"patches":[]}');
    const result = await run(`${server.url}/v1`);
    expect(result.code, result.stderr).toBe(0);
    const rows = readAudit(auditPath).map((row) => [row.file, row.action, row.reason]);
    expect(rows.sort()).toEqual(FILES.map((file) => [file, 'no_patches', 'model proposed no patches']).sort());
  });
});
