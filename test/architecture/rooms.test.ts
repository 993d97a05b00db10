import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

/**
 * The rooms of src/, top to bottom (README "Architecture"). A file imports from its own room
 * or from a room further down, never from a room above or beside it.
 */
const RANK: Record<string, number> = {
  '.': -1, // index.ts: the Probot entry
  cli: 0,
  server: 0,
  jobs: 1,
  dashboard: 2,
  pipeline: 3,
  stats: 3,
  forge: 4,
  check: 4,
  git: 5,
  report: 6,
  reviews: 7,
  patches: 7,
  config: 8,
  log: 8,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

function roomOf(file: string): string {
  const [first = '.', ...rest] = relative(SRC, file).split('/');
  return rest.length === 0 ? '.' : first;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => resolve(dirname(file), m[1] as string));
}

describe('rooms', () => {
  const files = sourceFiles(SRC);

  it('every folder of src/ is a known room', () => {
    const rooms = new Set(files.map(roomOf));
    expect([...rooms].filter((room) => RANK[room] === undefined)).toEqual([]);
  });

  it('no file imports from a room above or beside its own', () => {
    const wrong: string[] = [];
    for (const file of files) {
      const from = roomOf(file);
      for (const target of imports(file)) {
        const to = roomOf(target);
        if (!relative(SRC, target).startsWith('..') && to !== from && !((RANK[to] ?? -1) > (RANK[from] ?? 99))) {
          wrong.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('finds the imports it checks (the test can fail)', () => {
    const runPipeline = files.find((file) => file.endsWith('pipeline/run-pipeline.ts')) ?? '';
    expect(imports(runPipeline).map(roomOf)).toContain('check');
  });
});
