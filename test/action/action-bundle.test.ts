import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { bundleAction } from '../../scripts/build-action.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
let out = '';
afterEach(() => rmSync(out, { recursive: true, force: true }));

it('the committed action/index.mjs is what `npm run build:action` makes of the current sources', async () => {
  out = mkdtempSync(join(tmpdir(), 'scrum-apply-action-bundle-'));
  const fresh = readFileSync(await bundleAction(out));
  const committed = readFileSync(join(ROOT, 'action', 'index.mjs'));
  // On a mismatch: run `npm run build:action` and commit action/index.mjs with the source change.
  expect(committed.equals(fresh), 'action/index.mjs is stale: run `npm run build:action` and commit it').toBe(true);
});
