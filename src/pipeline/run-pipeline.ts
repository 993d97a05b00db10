import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import PQueue from 'p-queue';
import { createChecker, detectSandbox, type Checker, type SandboxChoice } from '../check/create-checker.js';
import type { ForgePr } from '../forge/types.js';
import { openRepo, type Repo } from '../git/open-repo.js';
import type { Logger } from '../log/logger.js';
import { createPatchModel, type PatchModel } from '../patches/create-patch-model.js';
import { createAuditLog } from '../report/audit-log.js';
import { describeError } from '../log/redact.js';
import { loadReviewTexts, readLatestReviews, type ReviewLog } from '../reviews/read-reviews.js';
import { selectFiles, type Selection } from '../reviews/select-files.js';
import { closeObsoletePrs, failsTheGates } from './close-obsolete.js';
import { createPublisher, type Publisher } from './create-publisher.js';
import { planDashboardActions } from './plan-dashboard-actions.js';
import { processFile, type RunContext, type SelectedFile } from './process-file.js';
import { serialForgeWrites } from './serial-forge-writes.js';
import type { FileResult, RunOptions, RunReport } from './run-types.js';

/**
 * How long, at most, a push waits for the pushes of the files whose checks ran alongside its
 * file's (see createRunPushes) to go with it. A push costs a few git processes on each end
 * (and over HTTPS a connection): batching them leaves the CPU to the checks. Sequential runs
 * never wait.
 */
const PUSH_LINGER_MS = 1000;

function newRunId(now: Date): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomBytes(3).toString('hex')}`;
}

/**
 * One run, end to end, in the README's steps: select files from the review log, then for each
 * ask the model, gate the patches, check, and publish; report. Files run concurrently: up to
 * `concurrency` LLM requests at once, and a file's check starts as soon as its answer is in
 * and the checker has a worktree free, so the model and the compiler are busy at the same
 * time. With `concurrency: 1` files go strictly one after another, as the seed did. Every
 * selected file gets an audit row the moment it finishes; results come back in selection order.
 * A model that cannot be used at all fails the run (ModelUnreachableError), after the files
 * already under way.
 */
export async function runPipeline(options: RunOptions): Promise<RunReport> {
  const started = Date.now();
  const startedAt = performance.now();
  const elapsedMs = () => Math.round(performance.now() - startedAt);
  const { config } = options;
  const runId = newRunId(new Date());
  const logger = options.logger.child({ run: runId });
  // Ticked dashboard boxes choose files (with `--only`); the dashboard's memory skips known failures.
  const plan = planDashboardActions(options.dashboard, options);
  const only = plan.only ?? [];
  if (options.dashboard !== undefined && options.dashboard.actions.length > 0) {
    logger.info({ actions: options.dashboard.actions.length, files: plan.only?.length ?? 'all' }, 'dashboard actions for this run');
  }

  const { reviewLog, reviewsPath, eligible, skipped } = await select(options, only, plan.only?.length === 0, logger);

  // The sandbox probe, the forge's listing of our PRs and the workspace are independent:
  // they are under way together (each failure still stops the run before any LLM request).
  const forge = options.forge;
  const sandboxChoice = detectSandbox(config.check.sandbox, options.checkEnv ? { env: options.checkEnv } : {});
  // Listed when some file may have a PR to judge: an eligible one, or one whose latest review
  // no longer passes the gates (its open PR is obsolete). Otherwise a run asks nothing of the forge.
  const needsListing = eligible.length > 0 || skipped.some(failsTheGates);
  const listing = forge && options.apply && needsListing ? forge.listBotPrs(config.branchPrefix) : Promise.resolve([]);
  // Awaited below; until then a failure must not count as unhandled.
  sandboxChoice.catch(() => undefined);
  listing.catch(() => undefined);

  const sequential = config.concurrency === 1;
  const slots = sequential ? 1 : (options.slots ?? availableParallelism());
  await mkdir(options.scratchRoot, { recursive: true });
  const scratchDir = await mkdtemp(join(options.scratchRoot, 'run-'));
  const workspace = await openRepo({
    repoDir: options.repoDir,
    ...(options.userRepo ? { user: options.userRepo } : {}),
    scratchDir,
    base: options.base ?? config.base,
    auth: options.gitAuth,
    branchPrefix: config.branchPrefix,
    logger,
  });
  let checker: Checker | null = null;
  try {
    const { chosen, notProcessed } = await chooseTracked(eligible, workspace, config.maxFiles, skipped);
    // The review texts stayed in the log while it was read; only the chosen files need them.
    const texts = await loadReviewTexts(reviewsPath, chosen.map((file) => file.review), { redact: options.redact });
    chosen.forEach((file, i) => (file.review = texts[i] ?? file.review));
    logger.info({ files: chosen.length, base: workspace.baseBranch, sha: workspace.baseSha }, 'processing files');
    const prepared = await prepareRun(options, { workspace, chosen, scratchDir, slots, sequential, elapsedMs, logger, sandboxChoice, listing });
    checker = prepared.checker;
    const { publisher } = prepared;
    const order = await checker.order(chosen.map((file) => file.review.file), config.concurrency);
    // While the first answers are awaited, build the base in the worktrees the checks will
    // use, so even the first checks are incremental. (Not earlier: the builds would slow down
    // reading the files, and with it the first LLM requests.)
    checker.warm(chosen.length);

    const ctx: RunContext = {
      options,
      plan,
      row: { runId, trigger: options.trigger, actor: options.actor, dryRun: !options.apply, patchModel: config.llm.model },
      workspace,
      model: patchModelFor(options),
      llmQueue: new PQueue({ concurrency: config.concurrency }),
      checker,
      publisher,
      now: () => new Date(),
      elapsedMs,
    };
    const processed = await processAll(ctx, order.map((at) => chosen[at] as SelectedFile), { publisher, sequential, logger, total: chosen.length });
    const closed =
      forge !== null && options.apply
        && plan.only?.length !== 0
        ? await closeObsoletePrs({
            forge,
            workspace,
            labelsEnabled: config.labels.enabled,
            prs: await listing,
            processed: new Set(chosen.map((file) => file.review.file)),
            skipped,
            latest: reviewLog.latest,
            only,
            branchPrefix: config.branchPrefix,
            stopLabel: config.stopLabel,
            row: ctx.row,
            now: ctx.now,
            logger,
            redact: options.redact,
          })
        : [];
    const audit = createAuditLog(options.auditLogPath, options.redact);
    for (const result of closed) {
      await audit.append(result.row);
      options.onFileDone?.(result);
    }
    const results = [...processed, ...closed];
    return {
      runId,
      dryRun: !options.apply,
      forge: forge?.kind ?? 'none',
      baseBranch: workspace.baseBranch,
      baseSha: workspace.baseSha,
      results,
      skipped,
      notProcessed,
      reviewRows: reviewLog.rows,
      malformedLines: reviewLog.malformed,
      problems: reviewLog.problems.slice(0, 10).map((p) => p.reason),
      durationMs: Date.now() - started,
    };
  } finally {
    await checker?.close();
    await workspace.dispose();
    await rm(scratchDir, { recursive: true, force: true });
  }
}

/**
 * The checker and the publisher of a run, once the sandbox probe and the forge's listing of
 * the bot's PRs (under way since the start) have answered.
 */
async function prepareRun(
  options: RunOptions,
  run: {
    workspace: Repo;
    chosen: SelectedFile[];
    scratchDir: string;
    slots: number;
    sequential: boolean;
    elapsedMs: () => number;
    logger: Logger;
    sandboxChoice: Promise<SandboxChoice>;
    listing: Promise<ForgePr[]>;
  },
): Promise<{ checker: Checker; publisher: Publisher }> {
  const { config } = options;
  const { workspace, logger } = run;
  const sandbox = await run.sandboxChoice;
  if (sandbox.warning) logger.warn({ sandbox: sandbox.kind, warning: sandbox.warning }, 'the check runs without a sandbox');
  const prs = run.chosen.length > 0 ? await run.listing : [];
  const publisher = createPublisher({
    workspace,
    forge: options.forge === null ? null : serialForgeWrites(options.forge, new PQueue({ concurrency: 1 })),
    prs,
    files: run.chosen.length,
    maxOpenPrs: config.maxOpenPrs,
    prHourlyLimit: config.prHourlyLimit,
    now: () => new Date(),
    draft: config.pr.draft,
    force: options.force,
    labelsEnabled: config.labels.enabled,
    // A push waits a little for the files checked alongside its own (not in sequential
    // mode, where the next file waits for this one).
    lingerMs: run.sequential ? 0 : PUSH_LINGER_MS,
  });
  const checker = createChecker({
    config: config.check,
    sandbox: sandbox.kind,
    tree: { scratch: workspace.scratch, baseSha: workspace.baseSha, root: join(run.scratchDir, 'slots'), packageDirOf: (path) => workspace.packageDirOf(path) },
    slots: run.slots,
    ...(options.checkEnv ? { env: options.checkEnv } : {}),
    signal: options.signal,
    logger,
    elapsedMs: run.elapsedMs,
    events: { started: (index) => publisher.checkStarted(index), ended: (index) => publisher.checkEnded(index) },
  });
  return { checker, publisher };
}

/** The patch model: the URL and key as the caller resolved them, the rest from the config. */
function patchModelFor(options: RunOptions): PatchModel {
  const { llm } = options.config;
  return createPatchModel({
    url: options.llm.url,
    apiKey: options.llm.apiKey,
    protocol: llm.protocol,
    provider: llm.provider,
    model: llm.model,
    timeoutMs: llm.timeoutSeconds * 1000,
    maxResponseBytes: llm.maxResponseBytes,
    redact: options.redact,
  });
}

/** Step 1: the latest review per file, and which files pass the eligibility gates. */
async function select(
  options: RunOptions,
  only: string[],
  nothing: boolean,
  logger: Logger,
): Promise<Selection & { reviewLog: ReviewLog; reviewsPath: string }> {
  const { config } = options;
  const reviewsPath = isAbsolute(config.reviews) ? config.reviews : resolve(options.repoDir, config.reviews);
  logger.info({ reviews: reviewsPath }, 'reading the review log');
  const reviewLog = await readLatestReviews(reviewsPath, { maxLineBytes: config.maxReviewLineBytes, maxRows: config.maxReviewRows, redact: options.redact, deferText: true });
  if (reviewLog.truncatedAtRows) logger.warn({ maxReviewRows: config.maxReviewRows }, 'the review log has more rows than maxReviewRows; the rest was not read');
  const { eligible, skipped } = selectFiles(reviewLog.latest, {
    minConfidence: config.minConfidence,
    minFindingConfidence: config.minFindingConfidence,
    excludeTiers: config.excludeTiers,
    deny: config.deny,
    only,
  });
  // The dashboard's actions chose no file (e.g. "retry all red" with none red): nothing to do.
  if (nothing) return { reviewLog, reviewsPath, eligible: [], skipped: [] };
  logger.info({ rows: reviewLog.rows, files: reviewLog.latest.size, eligible: eligible.length, malformed: reviewLog.malformed }, 'selected files');
  return { reviewLog, reviewsPath, eligible, skipped };
}

/**
 * The first `maxFiles` eligible files that are regular files tracked at the base (the
 * others join `skipped`); the eligible files after them wait for a later run.
 */
async function chooseTracked(
  eligible: Selection['eligible'],
  workspace: Pick<Repo, 'readTrackedFile'>,
  maxFiles: number,
  skipped: Selection['skipped'],
): Promise<{ chosen: SelectedFile[]; notProcessed: Selection['skipped'] }> {
  const chosen: SelectedFile[] = [];
  const notProcessed: Selection['skipped'] = [];
  for (const review of eligible) {
    if (chosen.length >= maxFiles) {
      notProcessed.push({ file: review.file, reason: `maxFiles (${maxFiles}) reached` });
      continue;
    }
    const tracked = await workspace.readTrackedFile(review.file);
    if (tracked.type === 'rejected') skipped.push({ file: review.file, reason: tracked.reason });
    else chosen.push({ index: chosen.length, review, content: tracked.content, mode: tracked.mode, blob: tracked.blob });
  }
  return { chosen, notProcessed };
}

/**
 * Steps 2–5 for every file, in the order to ask the model; each file's audit row is appended
 * as it finishes. Returns the results in selection order; throws what a file threw (a run
 * failure: processFile keeps a file's own failures in its row).
 */
async function processAll(
  ctx: RunContext,
  ordered: SelectedFile[],
  run: { publisher: Pick<Publisher, 'settled'>; sequential: boolean; logger: Logger; total: number },
): Promise<FileResult[]> {
  const audit = createAuditLog(ctx.options.auditLogPath, ctx.options.redact);
  const files = new PQueue({ concurrency: run.sequential ? 1 : Number.POSITIVE_INFINITY });
  let done = 0;
  const settled = await Promise.allSettled(
    ordered.map((file) =>
      files.add(async () => {
        const fileLogger = run.logger.child({ file: file.review.file });
        let fileResult: FileResult | null = null;
        try {
          fileResult = await processFile(ctx, file, fileLogger);
        } finally {
          run.publisher.settled(file.index, fileResult?.action === 'pr_opened');
        }
        await audit.append(fileResult.row);
        await ctx.options.auditSink?.(fileResult.row).catch((error: unknown) =>
          fileLogger.error({ err: describeError(error, ctx.options.redact) }, 'could not write the audit row to the database'),
        );
        done += 1;
        fileLogger.info({ action: fileResult.action, done, of: run.total, reason: fileResult.reason ?? undefined }, 'file done');
        ctx.options.onFileDone?.(fileResult);
        return fileResult;
      }),
    ),
  );
  // A failure of the run (a model that cannot be used: every file waiting for it fails at
  // once) ends it when the files already under way have finished and written their rows.
  const finished: FileResult[] = [];
  for (const outcome of settled) {
    if (outcome.status === 'rejected') throw outcome.reason;
    finished.push(outcome.value);
  }
  const results: FileResult[] = [];
  ordered.forEach((file, i) => (results[file.index] = finished[i] as FileResult));
  return results;
}
