import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import PQueue from 'p-queue';
import { ALWAYS_DENY } from '../config/config-schema.js';
import type { ForgePr } from '../forge/types.js';
import { createPatchModel } from '../patches/create-patch-model.js';
import { createAuditLog } from '../report/audit-log.js';
import { readLatestReviews } from '../reviews/read-reviews.js';
import { selectFiles } from '../reviews/select-files.js';
import { openWorkspace, type Workspace } from '../git/open-repo.js';
import { detectSandbox } from '../check/sandbox.js';
import { createOpenPrBudget } from './open-pr-budget.js';
import { createRunPushes } from './push-batcher.js';
import { processFile, type RunContext, type SelectedFile } from './process-file.js';
import { planSlots } from '../check/slot-plan.js';
import { serialForgeWrites } from './serial-forge-writes.js';
import { createSharedDirectCargo } from '../check/shared-direct-cargo.js';
import { createSharedFetch } from '../check/shared-fetch.js';
import { warmSlots, type SlotWarming } from '../check/warm-slots.js';
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
 * One run, end to end: select files from the review log, then for each ask the model, gate
 * the patches, check, commit and publish. Files run concurrently: up to `concurrency` LLM
 * requests at once, and a file's check starts as soon as its answer is in and a worktree
 * slot is free (slots: the CPU count, each keeping its own target dir), so the model and the
 * compiler are busy at the same time. Forge writes go one at a time; pushes too, batched
 * (push-batcher.ts). With `concurrency: 1` files go strictly one after another, as the seed did. Every
 * selected file gets an audit row the moment it finishes (finishing order; a row's content
 * does not depend on it); results come back in selection order.
 */
export async function runPipeline(options: RunOptions): Promise<RunReport> {
  const started = Date.now();
  const startedAt = performance.now();
  const { config, redact } = options;
  const runId = newRunId(new Date());
  const logger = options.logger.child({ run: runId });
  const dryRun = !options.apply;

  const reviewsPath = isAbsolute(config.reviews) ? config.reviews : resolve(options.repoDir, config.reviews);
  logger.info({ reviews: reviewsPath }, 'reading the review log');
  const reviewLog = await readLatestReviews(reviewsPath, { maxLineBytes: config.maxReviewLineBytes, maxRows: config.maxReviewRows, redact });
  if (reviewLog.truncatedAtRows) logger.warn({ maxReviewRows: config.maxReviewRows }, 'the review log has more rows than maxReviewRows; the rest was not read');
  const { eligible, skipped } = selectFiles(reviewLog.latest, {
    minConfidence: config.minConfidence,
    minFindingConfidence: config.minFindingConfidence,
    excludeTiers: config.excludeTiers,
    deny: [...config.deny, ...ALWAYS_DENY],
    only: options.only,
  });
  logger.info({ rows: reviewLog.rows, files: reviewLog.latest.size, eligible: eligible.length, malformed: reviewLog.malformed }, 'selected files');

  // The sandbox probe, the forge's listing of our PRs and the workspace are independent:
  // they are under way together (each failure still stops the run before any LLM request).
  const forge = options.forge;
  const sandboxChoice = detectSandbox(config.check.sandbox);
  const listing = forge && options.apply && eligible.length > 0 ? forge.listBotPrs(config.branchPrefix) : Promise.resolve([]);
  // Awaited below; until then a failure must not count as unhandled.
  sandboxChoice.catch(() => undefined);
  listing.catch(() => undefined);

  const sequential = config.concurrency === 1;
  const slots = sequential ? 1 : (options.slots ?? availableParallelism());
  await mkdir(options.scratchRoot, { recursive: true });
  const scratchDir = await mkdtemp(join(options.scratchRoot, 'run-'));
  const workspace = await openWorkspace({
    repoDir: options.repoDir,
    ...(options.userRepo ? { user: options.userRepo } : {}),
    scratchDir,
    base: options.base ?? config.base,
    auth: options.gitAuth,
    branchPrefix: config.branchPrefix,
    slots,
    logger,
  });
  let warming: SlotWarming | null = null;
  try {
    // The first maxFiles eligible files that are regular files tracked at the base.
    const chosen: SelectedFile[] = [];
    for (const review of eligible) {
      if (chosen.length >= config.maxFiles) break;
      const tracked = await workspace.readTrackedFile(review.file);
      if (tracked.type === 'rejected') skipped.push({ file: review.file, reason: tracked.reason });
      else chosen.push({ index: chosen.length, review, content: tracked.content, mode: tracked.mode });
    }
    logger.info({ files: chosen.length, base: workspace.baseBranch, sha: workspace.baseSha }, 'processing files');
    const ordered = await planFiles(chosen, workspace, { slots, concurrency: config.concurrency });
    const sandbox = await sandboxChoice;
    if (sandbox.warning) logger.warn(sandbox.warning);

    const fetch = createSharedFetch({ command: config.check.command, timeoutMs: config.check.timeoutSeconds * 1000, signal: options.signal });
    const directCargo = createSharedDirectCargo({ check: config.check, sandbox: sandbox.kind, signal: options.signal });
    // While the first answers are awaited, build the base once in each slot the checks will
    // use, so even the first checks are incremental. (Not earlier: the builds would slow down
    // reading the files, and with it the first LLM requests.)
    warming = warmSlots({
      workspace,
      count: Math.min(slots, chosen.length),
      check: config.check,
      sandbox: sandbox.kind,
      fetch,
      directCargo,
      logger,
      signal: options.signal,
    });

    const prsByBranch = new Map<string, ForgePr[]>();
    let openCount = 0;
    if (chosen.length > 0) {
      for (const pr of await listing) {
        prsByBranch.set(pr.headBranch, [...(prsByBranch.get(pr.headBranch) ?? []), pr]);
        if (pr.state === 'open') openCount += 1;
      }
    }

    const model = createPatchModel({
      url: options.llm.url,
      apiKey: options.llm.apiKey,
      protocol: config.llm.protocol,
      provider: config.llm.provider,
      model: config.llm.model,
      timeoutMs: config.llm.timeoutSeconds * 1000,
      maxResponseBytes: config.llm.maxResponseBytes,
      redact,
    });
    // A push waits a little for the files whose checks ran alongside the pusher's (not in
    // sequential mode, where the next file waits for this one).
    const pushes = createRunPushes((refs) => workspace.pushMany(refs), { lingerMs: sequential ? 0 : PUSH_LINGER_MS });
    const ctx: RunContext = {
      options,
      row: { runId, trigger: options.trigger, actor: options.actor, dryRun, patchModel: config.llm.model },
      workspace,
      model,
      llmQueue: new PQueue({ concurrency: config.concurrency }),
      checkStarted: (index) => pushes.checkStarted(index),
      checkEnded: (index) => pushes.checkEnded(index),
      push: (index, ref) => pushes.push(index, ref),
      notPushingSoon: (index) => pushes.settled(index),
      forge: forge === null ? null : serialForgeWrites(forge, new PQueue({ concurrency: 1 })),
      sandbox: sandbox.kind,
      fetch,
      directCargo,
      prsByBranch,
      openPrs: createOpenPrBudget({ alreadyOpen: openCount, max: config.maxOpenPrs, files: chosen.length }),
      maxOpenPrs: config.maxOpenPrs,
      now: () => new Date(),
      elapsedMs: () => Math.round(performance.now() - startedAt),
    };
    const audit = createAuditLog(options.auditLogPath, redact);
    const files = new PQueue({ concurrency: sequential ? 1 : Number.POSITIVE_INFINITY });
    let done = 0;
    const finished: FileResult[] = await Promise.all(
      ordered.map((file) =>
        files.add(async () => {
          const fileLogger = logger.child({ file: file.review.file });
          let fileResult: FileResult | null = null;
          try {
            fileResult = await processFile(ctx, file, fileLogger);
          } finally {
            ctx.openPrs.settle(file.index, fileResult?.action === 'pr_opened');
            pushes.settled(file.index);
          }
          await audit.append(fileResult.row);
          done += 1;
          fileLogger.info({ action: fileResult.action, done, of: chosen.length, reason: fileResult.reason ?? undefined }, 'file done');
          options.onFileDone?.(fileResult);
          return fileResult;
        }),
      ),
    );

    // In selection order, whatever order the model was asked in.
    const results: FileResult[] = [];
    ordered.forEach((file, i) => (results[file.index] = finished[i] as FileResult));
    return {
      runId,
      dryRun,
      forge: forge?.kind ?? 'none',
      baseBranch: workspace.baseBranch,
      baseSha: workspace.baseSha,
      results,
      skipped,
      reviewRows: reviewLog.rows,
      malformedLines: reviewLog.malformed,
      problems: reviewLog.problems.slice(0, 10).map((p) => p.reason),
      durationMs: Date.now() - started,
    };
  } finally {
    await warming?.stop();
    await workspace.dispose();
    await rm(scratchDir, { recursive: true, force: true });
  }
}

/**
 * The files in the order to ask the model, each with the slot its check asks for: a
 * package's checks in one slot, every slot fed each round (slot-plan.ts). With one slot (a
 * sequential run) or one file, the selection as it is.
 */
async function planFiles(
  chosen: SelectedFile[],
  workspace: Pick<Workspace, 'packageDirOf'>,
  options: { slots: number; concurrency: number },
): Promise<SelectedFile[]> {
  if (options.slots < 2 || chosen.length < 2) return chosen;
  const packages = await Promise.all(chosen.map((file) => workspace.packageDirOf(file.review.file)));
  return planSlots(packages.map((pkg) => ({ pkg })), options).map(({ at, slot }) => ({
    ...(chosen[at] as SelectedFile),
    ...(slot === undefined ? {} : { slot }),
  }));
}
