import { describe, expect, it } from 'vitest';
import { planDashboardActions } from '../../src/pipeline/plan-dashboard-actions.js';
import type { DashboardEntry } from '../../src/report/dashboard.js';

const entry = (section: DashboardEntry['section'], input?: string): DashboardEntry => ({
  section,
  detail: section === 'red' ? 'E0308 mismatched types (src/a.rs:3)' : 'old_string not found',
  pr: null,
  confidence: 90,
  since: '2026-12-01T10:00:00.000Z',
  ...(input === undefined ? {} : { input }),
});

const MEMORY = { 'src/red.rs': entry('red', 'in-red'), 'src/rej.rs': entry('rejected', 'in-rej'), 'src/big.rs': entry('rejected'), 'src/open.rs': entry('open') };
const RUN = { only: [], force: false };

describe('planDashboardActions', () => {
  it('without actions: no limit, and a red or rejected file with the same inputs is a known failure naming the earlier reason and date', () => {
    const plan = planDashboardActions({ memory: MEMORY, actions: [] }, RUN);
    expect(plan.only).toBeNull();
    expect(plan.knownFailure('src/red.rs', 'in-red')).toBe(
      'the check was red on 2026-12-01 with these same inputs (E0308 mismatched types (src/a.rs:3)); tick its retry box to ask again',
    );
    expect(plan.knownFailure('src/rej.rs', 'in-rej')).toMatch(/^no patch passed on 2026-12-01/);
    // Other inputs (a newer review, another blob), no recorded fingerprint, or not a failure: asked.
    expect(plan.knownFailure('src/red.rs', 'in-red-2')).toBeNull();
    expect(plan.knownFailure('src/big.rs', 'anything')).toBeNull();
    expect(plan.knownFailure('src/open.rs', 'x')).toBeNull();
    expect(plan.knownFailure('src/new.rs', 'x')).toBeNull();
    expect(planDashboardActions(undefined, RUN).knownFailure('src/red.rs', 'in-red')).toBeNull();
  });

  it('force asks again for everything', () => {
    expect(planDashboardActions({ memory: MEMORY, actions: [] }, { only: [], force: true }).knownFailure('src/red.rs', 'in-red')).toBeNull();
  });

  it('retry <file> limits the run to it and lifts its memory only', () => {
    const plan = planDashboardActions({ memory: MEMORY, actions: [{ type: 'retry', file: 'src/red.rs' }] }, RUN);
    expect(plan.only).toEqual(['src/red.rs']);
    expect(plan.knownFailure('src/red.rs', 'in-red')).toBeNull();
    expect(plan.knownFailure('src/rej.rs', 'in-rej')).not.toBeNull();
    expect(plan.directives('src/red.rs')).toEqual({ rebuild: false, retry: true, allow: false });
  });

  it('retry-red chooses every red file; with none red it chooses nothing', () => {
    const plan = planDashboardActions({ memory: MEMORY, actions: [{ type: 'retry-red' }] }, RUN);
    expect(plan.only).toEqual(['src/red.rs']);
    expect(plan.knownFailure('src/red.rs', 'in-red')).toBeNull();
    expect(planDashboardActions({ memory: { 'src/rej.rs': entry('rejected', 'in-rej') }, actions: [{ type: 'retry-red' }] }, RUN).only).toEqual([]);
  });

  it('rebuild forces its file and lifts its memory; allow lifts the declined block', () => {
    const plan = planDashboardActions({ memory: MEMORY, actions: [{ type: 'rebuild', file: 'src/open.rs' }, { type: 'allow', file: 'src/gone.rs' }] }, RUN);
    expect(plan.only).toEqual(['src/open.rs', 'src/gone.rs']);
    expect(plan.directives('src/open.rs')).toEqual({ rebuild: true, retry: true, allow: false });
    expect(plan.directives('src/gone.rs')).toEqual({ rebuild: false, retry: false, allow: true });
    expect(plan.directives('src/red.rs')).toEqual({ rebuild: false, retry: false, allow: false });
  });

  it('run-now is a normal run (no limit) that still carries the boxes ticked with it; --only stays a limit', () => {
    expect(planDashboardActions({ memory: MEMORY, actions: [{ type: 'run-now' }, { type: 'retry', file: 'src/red.rs' }] }, RUN).only).toBeNull();
    expect(planDashboardActions({ memory: MEMORY, actions: [{ type: 'run-now' }] }, { only: ['src/a.rs'], force: false }).only).toEqual(['src/a.rs']);
    expect(planDashboardActions({ memory: MEMORY, actions: [{ type: 'retry', file: 'src/red.rs' }] }, { only: ['src/a.rs'], force: false }).only).toEqual(['src/a.rs', 'src/red.rs']);
  });
});
