import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createBenchRepo, REVIEW_LOG, type BenchRepo } from '../../tools/bench/bench-fixture.js';
import { personGit } from '../../tools/demo/create-demo-repo.js';
import { BENCH_PATCH } from '../../tools/bench/bench-workspace.js';
import { startLocalGitHub, type LocalGitHub } from '../../tools/bench/local-github.js';
import { RepoConfig, type RepoConfigInput } from '../../src/config/config-schema.js';
import { startLlmStandIn, type LlmStandIn } from '../../tools/demo/llm-stand-in.js';
import { createGitHubOctokit } from '../../src/forge/github/create-github-octokit.js';
import { createGitHubForge } from '../../src/forge/github/github-forge.js';
import { runPipeline } from '../../src/pipeline/run-pipeline.js';
import type { RunReport } from '../../src/pipeline/run-types.js';
import { createLogger } from '../../src/log/logger.js';
import { createRedactor } from '../../src/log/redact.js';

/** How long a round of answers waits for its last request before it goes anyway (a failing test). */
const ROUND_PATIENCE_MS = 30_000;

/** How the LLM stand-in answers for one file. */
export interface Answer {
  content: string;
  delayMs: number;
}

export const GREEN = JSON.stringify({ patches: [BENCH_PATCH] });
export const RED = JSON.stringify({
  patches: [{ ...BENCH_PATCH, new_string: '    3.14159 * radius * no_such_variable', rationale: 'breaks the build' }],
});
export const LOW_CONFIDENCE = JSON.stringify({ patches: [{ ...BENCH_PATCH, confidence: 50 }] });
export const NO_PATCHES = JSON.stringify({ patches: [] });

export interface Rig {
  repo: BenchRepo;
  root: string;
  github: LocalGitHub;
  auditPath: string;
  /** The most LLM requests the stand-in had in flight at once. */
  maxInFlight(): number;
  /** The files the model was asked about, in the order the requests came in. */
  asked(): string[];
  /**
   * One applied run at `concurrency`; `only` as `--only`, `config` on top of the rig's,
   * `repoDir` another checkout of the same origin (clone()).
   */
  run(concurrency: number, more?: { only?: string[]; config?: RepoConfigInput; repoDir?: string }): Promise<RunReport>;
  /** Another checkout of the origin, with the review log: where a second, independent run works. */
  clone(name: string): string;
  close(): Promise<void>;
}

/**
 * A generated Cargo workspace in a real repository with a bare origin, a local GitHub API and
 * an LLM stand-in answering each file as `answer` says; runs go through runPipeline with the
 * GitHub forge, as the CLI would, with two check slots.
 */
export async function createRig(options: {
  crates: number;
  modules: number;
  config: RepoConfigInput;
  answer: (file: string, index: number) => Answer;
  /**
   * Hold every answer until this many requests are in flight together (then its delayMs
   * runs): rounds of answers that do not depend on when each request happened to arrive.
   * The run's files must come in full rounds; past ROUND_PATIENCE_MS a round goes anyway
   * (smaller, so a test of it fails rather than hangs).
   */
  answerInRoundsOf?: number;
  /** The local GitHub's clock for new PRs' `created_at`. */
  now?: () => Date;
}): Promise<Rig> {
  const root = mkdtempSync(join(tmpdir(), 'scrum-apply-concurrency-'));
  const repo = createBenchRepo(root, { crates: options.crates, modules: options.modules, config: JSON.stringify(options.config) });
  const github = await startLocalGitHub({ owner: 'bench', repo: 'workspace', ...(options.now ? { now: options.now } : {}) });
  let inFlight = 0;
  let most = 0;
  const asked: string[] = [];
  const inFlightChanged: Array<() => boolean> = [];
  const roundComplete = (size: number) =>
    new Promise<void>((resolve) => {
      const fallback = setTimeout(resolve, ROUND_PATIENCE_MS);
      const check = () => {
        if (inFlight < size) return false;
        clearTimeout(fallback);
        resolve();
        return true;
      };
      if (!check()) inFlightChanged.push(check);
    });
  const llm: LlmStandIn = await startLlmStandIn(async (request) => {
    const index = repo.files.findIndex((file) => request.prompt.includes(`File: ${JSON.stringify(file)}`));
    const file = repo.files[index];
    if (file === undefined) return NO_PATCHES;
    asked.push(file);
    const answer = options.answer(file, index);
    inFlight += 1;
    most = Math.max(most, inFlight);
    for (const waiter of inFlightChanged.splice(0)) if (!waiter()) inFlightChanged.push(waiter);
    if (options.answerInRoundsOf !== undefined) await roundComplete(options.answerInRoundsOf);
    await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    inFlight -= 1;
    return answer.content;
  });
  const redact = createRedactor([]);
  const logger = createLogger({ redact, level: 'silent' });
  const auditPath = join(root, 'audit.jsonl');
  return {
    repo,
    root,
    github,
    auditPath,
    maxInFlight: () => most,
    asked: () => [...asked],
    run(concurrency, more = {}) {
      const octokit = createGitHubOctokit({ token: 'test-token', baseUrl: github.url, logger, spaceWrites: false });
      return runPipeline({
        repoDir: more.repoDir ?? repo.dir,
        config: RepoConfig.parse({ ...options.config, ...more.config, concurrency }),
        apply: true,
        forge: createGitHubForge({ octokit, owner: 'bench', repo: 'workspace', logger, redact }),
        only: more.only ?? [],
        force: false,
        trigger: 'cli',
        actor: 'test',
        auditLogPath: auditPath,
        scratchRoot: join(root, 'scratch'),
        llm: { url: llm.url },
        gitAuth: null,
        logger,
        redact,
        slots: 2,
      });
    },
    clone(name) {
      const dir = join(root, name);
      personGit(root, 'clone', '-q', repo.origin, dir);
      mkdirSync(dirname(join(dir, REVIEW_LOG)), { recursive: true });
      copyFileSync(join(repo.dir, REVIEW_LOG), join(dir, REVIEW_LOG));
      return dir;
    },
    async close() {
      await llm.close();
      await github.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
