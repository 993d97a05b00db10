import { describe, expect, it } from 'vitest';
import type { PrHistory } from '../../src/forge/types.js';
import { classifyPr } from '../../src/stats/classify-pr.js';
import { confidenceBucket, fileKind } from '../../src/stats/group-of.js';
import type { OwnedPr, PrEvidence } from '../../src/stats/history-collector.js';
import { sha } from '../helpers/audit-rows.js';

const pr: OwnedPr = { number: 4, branch: 'scrum-apply/src/a.rs', group: '', reviewConfidence: 95, patchConfidence: 92 };

function listed(overrides: Partial<PrHistory> = {}): PrHistory {
  return {
    number: 4,
    url: 'https://github.com/acme/widgets/pull/4',
    headBranch: 'scrum-apply/src/a.rs',
    state: 'closed',
    merged: true,
    headSha: sha(4),
    createdAt: '2026-06-01T00:00:00Z',
    closedAt: '2026-06-01T12:00:00Z',
    mergedAt: '2026-06-01T12:00:00Z',
    ...overrides,
  };
}

/** The commits the bot recorded for this PR, others recorded for other PRs, and whether a run found a person's commit. */
function history(mine: string[], humanEdited = false, others: Array<[string, number]> = [], closedByBot = false) {
  const owners = new Map<string, number>([...others, ...mine.map((s): [string, number] => [s, 4])]);
  const evidence: PrEvidence = { recordedSha: mine.length > 0, humanEdited, closedByBot };
  return { evidence, owners };
}

describe('classifyPr', () => {
  it.each([
    ['merged at a commit the bot recorded for it', listed(), history([sha(3), sha(4)]), 'merged_as_proposed'],
    ['merged at a commit that is not the bot’s', listed({ headSha: sha(0xe) }), history([sha(4)]), 'merged_after_edits'],
    ['merged at the bot’s commit, but a run found a person’s commit on the branch', listed(), history([sha(4)], true), 'merged_after_edits'],
    ['merged, a run found a person’s commit, the log recording no commit', listed(), history([], true), 'merged_after_edits'],
    ['merged, the log recording no commit (rows before head_sha)', listed(), history([]), 'merged_edits_unknown'],
    ['merged, no head from the forge', listed({ headSha: null }), history([sha(4)]), 'merged_edits_unknown'],
    // Gitea reports a living branch's tip: the bot reused the branch for PR #9 after this merge.
    ['merged, the head a commit the bot pushed for a later PR', listed({ headSha: sha(9) }), history([sha(4)], false, [[sha(9), 9]]), 'merged_edits_unknown'],
    ['merged, the head upper-case', listed({ headSha: sha(0xab).toUpperCase() }), history([sha(0xab)]), 'merged_as_proposed'],
    ['closed without merging', listed({ merged: false, mergedAt: null }), history([sha(4)]), 'closed_unmerged'],
    ['closed by the bot as obsolete: no one’s verdict', listed({ merged: false, mergedAt: null }), history([sha(4)], false, [], true), 'closed_obsolete'],
    ['open', listed({ state: 'open', merged: false, closedAt: null, mergedAt: null }), history([]), 'open'],
    ['not listed', undefined, history([sha(4)]), 'unknown'],
    ['listed with another branch (a log of another repository)', listed({ headBranch: 'scrum-apply/src/z.rs' }), history([sha(4)]), 'unknown'],
  ] as const)('%s', (_name, forgePr, { evidence, owners }, outcome) => {
    expect(classifyPr(pr, forgePr, evidence, owners).outcome).toBe(outcome);
  });

  it('time to decision from opened to merged or closed; none while open', () => {
    const { evidence, owners } = history([sha(4)]);
    expect(classifyPr(pr, listed(), evidence, owners).hoursToDecision).toBe(12);
    expect(classifyPr(pr, listed({ merged: false, mergedAt: null, closedAt: '2026-06-03T00:00:00Z' }), undefined, owners).hoursToDecision).toBe(48);
    expect(classifyPr(pr, listed({ state: 'open', merged: false }), undefined, owners).hoursToDecision).toBeNull();
  });
});

describe('groups', () => {
  it.each([
    [0, '0–4'],
    [89.9, '85–89'],
    [90, '90–94'],
    [99, '95–100'],
    [100, '95–100'],
    [140, '95–100'],
    [-3, '0–4'],
  ])('confidence %d is in %s', (confidence, label) => {
    expect(confidenceBucket(confidence).label).toBe(label);
  });

  it.each([
    ['crates/geometry/src/shapes.rs', 'lib'],
    ['crates/geometry/tests/area.rs', 'test'],
    ['src/parser_test.rs', 'test'],
    ['src/tests.rs', 'test'],
    ['benches/speed.rs', 'bench'],
    ['examples/demo.rs', 'example'],
    ['src/main.rs', 'bin'],
    ['crates/cli/src/bin/tool.rs', 'bin'],
    ['docs/guide.md', 'md'],
    ['LICENSE', 'other'],
  ])('%s is a %s file', (path, kind) => {
    expect(fileKind(path)).toBe(kind);
  });
});
