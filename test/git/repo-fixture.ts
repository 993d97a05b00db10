import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../../src/log/logger.js';
import { openRepo, type OpenRepoOptions, type Repo } from '../../src/git/open-repo.js';
import { git, snapshotCheckout } from '../helpers/fixture-repo.js';

/** The checkout snapshot plus the object store: a run must not even add objects. */
export function snapshotUserRepo(dir: string): Record<string, string> {
  return { ...snapshotCheckout(dir), objects: git(dir, 'count-objects', '-v') };
}

/** A fresh scratch directory beside the fixture (not inside the checkout). */
export function scratchIn(root: string): string {
  return mkdtempSync(join(root, 'scratch-'));
}

/** A pino logger whose lines the test can read. */
export function captureLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = pino({ level: 'debug', base: undefined }, stream);
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line): Record<string, unknown> => JSON.parse(line));
  return { logger, lines };
}

/** Open a workspace on `dir` with the usual prefix and a fresh scratch dir under `root`. */
export function openOn(
  root: string,
  dir: string,
  extra: Partial<OpenRepoOptions> = {},
): Promise<Repo> {
  return openRepo({ repoDir: dir, scratchDir: scratchIn(root), branchPrefix: 'scrum-apply/', ...extra });
}

/** Run git in a bare repository (origin). */
export function originGit(origin: string, ...args: string[]): string {
  return git(origin, ...args);
}

/**
 * One force-with-lease push through Repo.pushMany; a ref it refuses is thrown as
 * `push to <branch> was rejected: <reason>`, the way the push batcher reports it.
 */
export async function pushOne(repo: Pick<Repo, 'pushMany'>, branch: string, commitSha: string, expectedRemoteSha: string | null): Promise<void> {
  const [reason] = await repo.pushMany([{ branch, commitSha, expectedRemoteSha }]);
  if (reason !== null && reason !== undefined) throw new Error(`push to ${branch} was rejected: ${reason}`);
}
