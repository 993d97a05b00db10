import { describe, expect, it } from 'vitest';
import { planSlots } from '../../src/check/slot-plan.js';

const pkgs = (...names: Array<string | null>) => names.map((pkg) => ({ pkg }));

/** The plan as `name@slot` in asking order, for files named by their package plus position. */
function show(files: Array<{ pkg: string | null }>, options: { slots: number; concurrency: number }): string[] {
  const names = files.map((file, i) => `${file.pkg ?? '-'}${i}`);
  return planSlots(files, options).map(({ at, slot }) => `${names[at]}@${slot ?? '?'}`);
}

describe('planSlots', () => {
  it('keeps each package in one slot and asks in rounds that feed both slots', () => {
    const files = pkgs('a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'c', 'd', 'd', 'd');
    expect(show(files, { slots: 2, concurrency: 4 })).toEqual([
      ...['a0@0', 'a1@0', 'c6@1', 'c7@1'],
      ...['a2@0', 'b3@0', 'c8@1', 'd9@1'],
      ...['b4@0', 'b5@0', 'd10@1', 'd11@1'],
    ]);
  });

  it('splits a package larger than a slot’s share, so no slot idles', () => {
    const plan = planSlots(pkgs(...Array<string>(10).fill('only')), { slots: 2, concurrency: 4 });
    expect(plan.filter((p) => p.slot === 0)).toHaveLength(5);
    expect(plan.filter((p) => p.slot === 1)).toHaveLength(5);
  });

  it('asks for every file exactly once, whatever the shapes', () => {
    for (const [files, slots, concurrency] of [
      [pkgs('a', null, 'b', null, 'a', 'c', 'c'), 2, 4],
      [pkgs('a', 'b', 'c'), 4, 4],
      [pkgs('a', 'a', 'b'), 3, 1],
      [pkgs(...Array<string>(9).fill('x')), 2, 3],
    ] as const) {
      const plan = planSlots(files, { slots, concurrency });
      expect(plan.map((p) => p.at).sort((x, y) => x - y)).toEqual(files.map((_, i) => i));
      for (const p of plan) expect(p.slot).toBeLessThan(slots);
    }
  });

  it('changes nothing with one slot or one file', () => {
    expect(planSlots(pkgs('b', 'a', 'b'), { slots: 1, concurrency: 4 })).toEqual([{ at: 0 }, { at: 1 }, { at: 2 }]);
    expect(planSlots(pkgs('a'), { slots: 2, concurrency: 4 })).toEqual([{ at: 0 }]);
  });
});
