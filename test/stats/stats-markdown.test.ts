import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JSDOM } from 'jsdom';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeStats } from '../../src/stats/compute-stats.js';
import { renderFunnelSection } from '../../src/stats/render-funnel-section.js';
import { renderStatsMarkdown } from '../../src/stats/render-stats-markdown.js';
import type { StatsReport } from '../../src/stats/stats-types.js';
import { auditRow, writeAuditLog } from '../helpers/audit-rows.js';
import { captureLogger, createGitHubMock, createMockedGitHubForge } from '../helpers/github-mocks.js';
import { writeCalibrationHistory } from './calibration-history.js';

/**
 * The markdown's Mermaid blocks go through Mermaid's own parser (the `mermaid` package, as
 * GitHub and Gitea render it). It needs a DOM only for its sanitiser: jsdom stands in, set up
 * after the reports are computed so nothing else in the test sees a `window`.
 */

let dir: string;
let reports: { calibrated: StatsReport; offline: StatsReport };
let mermaid: { parse(text: string): Promise<unknown> };

async function report(auditLogs: string[], withForge: boolean): Promise<StatsReport> {
  return computeStats({
    auditLogs,
    forge: withForge ? createMockedGitHubForge() : null,
    forgeKind: withForge ? 'github' : 'none',
    branchPrefix: 'scrum-apply/',
    since: null,
    by: withForge ? null : 'reviewer',
    targetPrecision: 0.8,
    currentMinConfidence: 90,
    logger: captureLogger().logger,
    now: () => new Date('2026-07-01T00:00:00Z'),
  });
}

beforeAll(async () => {
  nock.disableNetConnect();
  dir = mkdtempSync(join(tmpdir(), 'scrum-apply-mermaid-'));
  const mock = createGitHubMock();
  const calibrated = await report([writeCalibrationHistory(dir, mock)], true);
  mock.done();
  // Group names come from the review log: quotes, brackets, backslashes, a newline, bidi.
  const hostile = writeAuditLog(join(dir, 'hostile.jsonl'), [
    auditRow({ file: 'src/a.rs', reviewer: 'evil"]\nbar [1] | \\ `x` \u202e' }, { action: 'pr_opened', pr: 1 }),
    auditRow({ file: 'src/b.rs', reviewer: '' }, { action: 'no_patches' }),
  ]);
  reports = { calibrated, offline: await report([hostile], false) };
  nock.enableNetConnect();

  const dom = new JSDOM('');
  Object.assign(globalThis, { window: dom.window, document: dom.window.document });
  mermaid = (await import('mermaid')).default;
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  Reflect.deleteProperty(globalThis, 'window');
  Reflect.deleteProperty(globalThis, 'document');
});

function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '');
}

describe('scrum-apply stats --markdown', () => {
  it('Mermaid’s parser accepts every chart: the funnel and the calibration', async () => {
    const blocks = mermaidBlocks(renderStatsMarkdown(reports.calibrated));
    expect(blocks).toHaveLength(2);
    for (const block of blocks) await expect(mermaid.parse(block)).resolves.toMatchObject({ diagramType: 'xychart' });
    expect(blocks[1]).toContain('x-axis ["80–84", "85–89", "90–94", "95–100"]');
    expect(blocks[1]).toContain('bar [40, 80, 90, 100]');
  });

  it('offline and with hostile group names, the chart still parses and the table stays one row per stage', async () => {
    const markdown = renderStatsMarkdown(reports.offline);
    for (const block of mermaidBlocks(markdown)) await expect(mermaid.parse(block)).resolves.toMatchObject({ diagramType: 'xychart' });
    const header = markdown.split('\n').find((line) => line.startsWith('| stage |')) ?? '';
    // stage, all, the hostile reviewer, and the empty one as "unknown": its `|` cannot open a cell.
    expect(header.split(' | ')).toHaveLength(4);
    expect(header.endsWith(' | unknown |')).toBe(true);
    expect(markdown).toContain('No suggestion for `minConfidence` without a forge');
  });

  it('the parser is a real check: a broken chart is refused', async () => {
    await expect(mermaid.parse('xychart-beta\n    x-axis ["a", "b"]\n    bar [1, "two"]')).rejects.toThrow(/Parse error/);
  });

  it('the short funnel section (for other reports) is the overall funnel alone, with its chart', () => {
    const section = renderFunnelSection(reports.offline, { heading: '### Funnel', groups: false });
    expect(section.startsWith('### Funnel\n')).toBe(true);
    expect(section).toContain('| stage | all |\n');
    expect(mermaidBlocks(section)).toHaveLength(1);
    expect(section).not.toContain('Calibration');
  });

  it('reads on its own: the whole document for the calibrated history', () => {
    expect(renderStatsMarkdown(reports.calibrated)).toMatchInlineSnapshot(`
      "## Trust funnel: scrum-apply stats

      _90 audit rows from 1 log · 90 bot PRs listed on github_

      | stage | all |
      |---|--:|
      | reviews selected | 90 |
      | model answered with patches | 90 (100 %) |
      | patches passed the gates | 90 (100 %) |
      | check green | 90 (100 %) |
      | PR opened | 90 (100 %) |
      |   ↳ merged as proposed | 65 (72 %) |
      |   ↳ merged after edits | 5 (6 %) |
      |   ↳ closed unmerged | 15 (17 %) |
      |   ↳ still open | 5 (6 %) |
      | merge rate (merged ÷ decided) | 82 % (70/85) |
      | precision (as proposed ÷ decided) | 76 % (65/85) |
      | median time to decision | 24.0 h |

      \`\`\`mermaid
      xychart-beta
          title "Trust funnel"
          x-axis ["selected", "answered", "passed gates", "green", "PR opened", "merged", "as proposed"]
          y-axis "reviews, then PRs" 0 --> 90
          bar [90, 90, 90, 90, 90, 70, 65]
      \`\`\`

      The first four stages count reviews (each file’s review once, at the furthest stage it reached); from “PR opened” on they count PRs. Merge rate = merged ÷ decided (merged + closed unmerged; open PRs are not decided yet); precision = merged as proposed ÷ decided, leaving out merges whose edits the log cannot tell.

      ### Calibration: which confidence earns trust

      Decided PRs merged as proposed, per confidence bucket: the review’s \`confidence_avg\`, the weakest applied patch’s confidence, and the lower of the two (what \`minConfidence\` gates on). A bucket needs 20 decided PRs to count.

      | confidence | review: decided | precision | patch: decided | precision | lower: decided | precision |
      |---|--:|--:|--:|--:|--:|--:|
      | 95–100 | 35 | 86 % | 40 | 93 % | 10 | 100 % (few) |
      | 90–94 | 30 | 90 % | 0 | – | 30 | 90 % |
      | 85–89 | 0 | – | 25 | 80 % | 25 | 80 % |
      | 80–84 | 20 | 40 % | 20 | 40 % | 20 | 40 % |

      **Suggested \`minConfidence\`: 85 — its PRs were merged as proposed 88 % of the time (65 decided; target 80 %); on this history, 30 PRs more than with the current 90 (70 in all).**

      \`\`\`mermaid
      xychart-beta
          title "Merged as proposed by confidence (target 80 %)"
          x-axis ["80–84", "85–89", "90–94", "95–100"]
          y-axis "precision (%)" 0 --> 100
          bar [40, 80, 90, 100]
          line [80, 80, 80, 80]
      \`\`\`
      "
    `);
  });
});
