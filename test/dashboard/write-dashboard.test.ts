import { describe, expect, it } from 'vitest';
import { RepoConfig } from '../../src/config/config-schema.js';
import { DASHBOARD_LABEL, dashboardSettings, workflowRunUrl, type DashboardSettings } from '../../src/dashboard/dashboard-settings.js';
import { readDashboard } from '../../src/dashboard/read-dashboard.js';
import { runWithDashboard } from '../../src/dashboard/run-with-dashboard.js';
import { DASHBOARD_OFF_MARKER, writeDashboard, type DashboardWrite } from '../../src/dashboard/write-dashboard.js';
import type { DashboardForge, DashboardIssue, Forge } from '../../src/forge/types.js';
import { createRedactor } from '../../src/log/redact.js';
import type { RunOptions } from '../../src/pipeline/run-types.js';
import type { AuditAction } from '../../src/report/audit-row.js';
import { DASHBOARD_MARKER, tickedBoxes } from '../../src/report/dashboard.js';
import type { FileResult, RunReport } from '../../src/report/run-report.js';
import { captureLogger } from '../helpers/github-mocks.js';

const RUN = { at: '2026-12-04T10:00:00.000Z', trigger: 'cli', actor: 'ana', model: 'qwen3-coder:480b', url: null };
const redact = createRedactor([]);

/** An in-memory forge keeping issues as the real ones do: found by label and marker, newest first. */
function memoryForge(options: { maxBodyLength?: number; fail?: 'find' | 'edit' } = {}) {
  const issues: Array<DashboardIssue & { title: string }> = [];
  const calls: string[] = [];
  const forge: DashboardForge & { maxBodyLength: number } = {
    maxBodyLength: options.maxBodyLength ?? 60_000,
    async findDashboard(label, marker) {
      calls.push(`find ${label}`);
      if (options.fail === 'find') throw new Error('GitHub API GET issues failed: 502');
      return [...issues].reverse().find((issue) => issue.body.includes(marker)) ?? null;
    },
    async createDashboard(title, body) {
      calls.push('create');
      const issue = { number: 100 + issues.length, url: `https://github.com/acme/widgets/issues/${100 + issues.length}`, state: 'open' as const, body, title };
      issues.push(issue);
      return issue;
    },
    async editDashboard(number, body) {
      calls.push(`edit ${number}`);
      if (options.fail === 'edit') throw new Error('GitHub API PATCH issue failed: 500');
      const issue = issues.find((i) => i.number === number);
      if (issue) issue.body = body;
    },
  };
  return { forge, issues, calls, writes: () => calls.filter((c) => !c.startsWith('find')) };
}

function result(file: string, action: AuditAction, pr: number | null = null): FileResult {
  const prRef = pr === null ? null : { number: pr, url: `https://github.com/acme/widgets/pull/${pr}` };
  return {
    file,
    action,
    reason: action === 'build_red_reverted' ? 'E0308 mismatched types (src/x.rs:3)' : null,
    pr: prRef,
    branch: null,
    row: {
      ts: RUN.at, run_id: 'r1', trigger: 'cli', actor: 'ana', file, action, dry_run: false,
      review: { model: 'kimi', confidence_avg: 96, confidence_min: 90, tier: 'auto', reviewed_at: '2026-12-01' },
      patch_model: 'qwen', patches_applied: [], patches_rejected: [],
      check: action === 'build_red_reverted' ? { command: 'cargo check', exit_code: 101, duration_ms: 9, green: false, timed_out: false, errors: [{ code: 'E0308', message: 'mismatched types', file: 'src/x.rs', line: 3 }] } : null,
      branch: null, head_sha: null, pr: prRef, reason: null, error: null,
    },
  };
}

function report(results: FileResult[], extra: Partial<RunReport> = {}): RunReport {
  return { runId: 'r1', dryRun: false, forge: 'github', baseBranch: 'main', baseSha: 'a'.repeat(40), results, skipped: [], notProcessed: [], reviewRows: 3, malformedLines: 0, problems: [], durationMs: 5000, ...extra };
}

const ON: DashboardSettings = { enabled: true, title: 'scrum-apply dashboard', label: DASHBOARD_LABEL, runBox: false };
const RESULTS = [result('src/open.rs', 'pr_opened', 12), result('src/red.rs', 'build_red_reverted')];

async function applied(memory: ReturnType<typeof memoryForge>, settings: DashboardSettings, results = RESULTS, extra: Partial<Parameters<typeof writeDashboard>[0]> = {}): Promise<DashboardWrite> {
  const { logger } = extra.logger ? { logger: extra.logger } : captureLogger([]);
  const read = await readDashboard(memory.forge, settings, { logger, redact });
  return writeDashboard({ forge: memory.forge, settings, read, report: report(results), run: RUN, logger, redact, ...extra });
}

describe('writeDashboard', () => {
  it('creates the dashboard once, then edits it only when something changed', async () => {
    const memory = memoryForge();
    expect(await applied(memory, ON)).toBe('created');
    expect(memory.issues[0]).toMatchObject({ title: 'scrum-apply dashboard', state: 'open' });
    expect(memory.issues[0]?.body).toContain(DASHBOARD_MARKER);
    expect(await applied(memory, ON)).toBe('unchanged');
    expect(await applied(memory, ON, [result('src/red.rs', 'pr_opened', 13)])).toBe('edited');
    expect(memory.writes()).toEqual(['create', 'edit 100']);
  });

  it('a dashboard a person closed stays closed: nothing written, nothing opened, said at info', async () => {
    const memory = memoryForge();
    await applied(memory, ON);
    const issue = memory.issues[0];
    if (issue) issue.state = 'closed';
    const { logger, lines } = captureLogger([]);
    expect(await applied(memory, ON, RESULTS, { logger })).toBe('left-closed');
    expect(memory.writes()).toEqual(['create']);
    expect(lines.some((line) => line.includes('"level":30') && line.includes('closed by a person; left closed'))).toBe(true);
  });

  it('toggling `dashboard`: false records itself in the closed issue, and true then opens a new one', async () => {
    const memory = memoryForge();
    await applied(memory, ON);
    const closed = memory.issues[0];
    if (closed) closed.state = 'closed';
    const off = { ...ON, enabled: false };
    expect(await applied(memory, off)).toBe('recorded-off');
    expect(closed?.state).toBe('closed');
    expect(closed?.body).toContain(DASHBOARD_OFF_MARKER);
    expect(await applied(memory, off)).toBe('off');
    expect(await applied(memory, ON)).toBe('created');
    expect(memory.issues.map((i) => [i.number, i.state])).toEqual([[100, 'closed'], [101, 'open']]);
    // The new one is found next time (newest with the marker) and stays unchanged.
    expect(await applied(memory, ON)).toBe('unchanged');
    expect(memory.writes()).toEqual(['create', 'edit 100', 'create']);
  });

  it('with dashboard: false an open dashboard is left as it is', async () => {
    const memory = memoryForge();
    await applied(memory, ON);
    expect(await applied(memory, { ...ON, enabled: false }, [result('src/red.rs', 'pr_opened', 13)])).toBe('off');
    expect(memory.writes()).toEqual(['create']);
  });

  it('a body over the forge’s limit keeps the boxes of the first sections and the run box', async () => {
    const memory = memoryForge({ maxBodyLength: 8_000 });
    const open = Array.from({ length: 20 }, (_, i) => result(`src/open_${i}.rs`, 'pr_opened', i + 1));
    const red = Array.from({ length: 5 }, (_, i) => result(`src/red_${i}.rs`, 'build_red_reverted'));
    const waiting = Array.from({ length: 400 }, (_, i) => result(`src/waiting_${String(i).padStart(3, '0')}.rs`, 'skipped_open_pr_limit'));
    expect(await applied(memory, { ...ON, runBox: true }, [...open, ...red, ...waiting], { funnel: `### Trust funnel\n\n${'x'.repeat(3000)}` })).toBe('created');
    const body = memory.issues[0]?.body ?? '';
    expect(body.length).toBeLessThanOrEqual(8_000);
    expect(body).toMatch(/- … and \d+ more/u);
    expect(body).not.toContain('Trust funnel');
    expect(body.match(/scrum-apply:rebuild/gu)).toHaveLength(20);
    expect(body.match(/scrum-apply:retry /gu)).toHaveLength(5);
    for (const box of ['run-now', 'retry-red']) expect(body).toContain(`<!-- scrum-apply:${box} -->`);
    // Every box is still one tickedBoxes() reads.
    const ticked = body.replaceAll('- [ ] <!--', '- [x] <!--');
    expect(tickedBoxes(ticked)).toHaveLength(20 + 5 + 2);
  });

  it('the run box, once there (the App wrote it), stays when the CLI writes', async () => {
    const memory = memoryForge();
    await applied(memory, { ...ON, runBox: true });
    expect(await applied(memory, ON, [result('src/red.rs', 'pr_opened', 13)])).toBe('edited');
    expect(memory.issues[0]?.body).toContain('<!-- scrum-apply:run-now -->');
  });

  it('the dead-letter count and the funnel appear when the caller has them; the funnel alone changing writes nothing', async () => {
    const memory = memoryForge();
    await applied(memory, ON, RESULTS, { deadLetters: 2, funnel: '### Trust funnel\n\n| stage | all |' });
    expect(memory.issues[0]?.body).toContain('Dead-letter queue: 2 jobs that failed every attempt.');
    expect(memory.issues[0]?.body).toContain('### Trust funnel');
    expect(await applied(memory, ON, RESULTS, { deadLetters: 2, funnel: '### Trust funnel\n\n| stage | all | (7 rows)' })).toBe('unchanged');
  });

  it('a dry run writes nothing', async () => {
    const memory = memoryForge();
    const { logger } = captureLogger([]);
    const read = await readDashboard(memory.forge, ON, { logger, redact });
    expect(await writeDashboard({ forge: memory.forge, settings: ON, read, report: report(RESULTS, { dryRun: true }), run: RUN, logger, redact })).toBe('skipped');
    expect(memory.writes()).toEqual([]);
  });

  it('failures are warnings: an unreadable dashboard is not written (no second issue), a failed write does not throw', async () => {
    const { logger, lines } = captureLogger([]);
    const unreadable = memoryForge({ fail: 'find' });
    expect(await applied(unreadable, ON, RESULTS, { logger })).toBe('skipped');
    expect(unreadable.writes()).toEqual([]);
    const failing = memoryForge({ fail: 'edit' });
    await applied(failing, ON);
    expect(await applied(failing, ON, [result('src/red.rs', 'pr_opened', 13)], { logger })).toBe('failed');
    const warnings = lines.filter((line) => line.includes('"level":40'));
    expect(warnings.map((line) => JSON.parse(line).msg)).toEqual(['could not read the dashboard issue', 'could not write the dashboard issue']);
  });
});

describe('runWithDashboard', () => {
  const config = RepoConfig.parse({});
  function runOptions(forge: Forge | null, apply: boolean): RunOptions {
    const { logger } = captureLogger([]);
    return { repoDir: '/nowhere', config, apply, forge, only: [], force: false, trigger: 'cli', actor: 'ana', auditLogPath: '/nowhere/audit.jsonl', scratchRoot: '/nowhere', llm: { url: 'http://127.0.0.1:1' }, gitAuth: null, logger, redact };
  }
  const forgeWith = (memory: ReturnType<typeof memoryForge>): Forge =>
    Object.assign(memory.forge, { kind: 'github' as const, listBotPrs: async () => [], ensureLabels: async () => undefined, createPr: async () => { throw new Error('unused'); }, updatePr: async () => { throw new Error('unused'); }, closePr: async () => undefined });

  it('a dry run never asks the forge for the dashboard', async () => {
    const memory = memoryForge();
    const seen: DashboardWrite[] = [];
    await runWithDashboard({ runPipeline: async () => report(RESULTS, { dryRun: true }), options: runOptions(forgeWith(memory), false), server: false, workflowUrl: null, onDashboard: (w) => seen.push(w) });
    expect(memory.calls).toEqual([]);
    expect(seen).toEqual([]);
  });

  it('an applied run reads the dashboard before the pipeline and writes it after', async () => {
    const memory = memoryForge();
    const order: string[] = [];
    const seen: DashboardWrite[] = [];
    await runWithDashboard({
      runPipeline: async () => {
        order.push(...memory.calls, 'pipeline');
        return report(RESULTS);
      },
      options: runOptions(forgeWith(memory), true),
      server: true,
      workflowUrl: null,
      deadLetters: async () => 0,
      onDashboard: (w) => seen.push(w),
    });
    expect(order).toEqual(['find scrum-apply', 'pipeline']);
    expect(memory.calls).toEqual(['find scrum-apply', 'create']);
    expect(seen).toEqual(['created']);
    expect(memory.issues[0]?.body).toContain('<!-- scrum-apply:run-now -->');
    expect(memory.issues[0]?.body).toContain('Dead-letter queue: 0 jobs');
  });
});

describe('dashboard settings', () => {
  it('defaults: on, titled "scrum-apply dashboard", labelled scrum-apply; the run box on servers only', () => {
    const config = RepoConfig.parse({});
    expect(dashboardSettings(config, { server: false })).toEqual({ enabled: true, title: 'scrum-apply dashboard', label: DASHBOARD_LABEL, runBox: false });
    expect(dashboardSettings(RepoConfig.parse({ dashboard: false, dashboardTitle: 'Bot status' }), { server: true })).toMatchObject({ enabled: false, title: 'Bot status', runBox: true });
    expect(DASHBOARD_LABEL.name).toBe('scrum-apply');
  });

  it('links the workflow run when GitHub or Gitea Actions say which', () => {
    expect(workflowRunUrl({ GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/widgets', GITHUB_RUN_ID: '77' })).toBe('https://github.com/acme/widgets/actions/runs/77');
    expect(workflowRunUrl({ GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/widgets' })).toBeNull();
    expect(workflowRunUrl({})).toBeNull();
  });
});
