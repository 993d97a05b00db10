import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { baseEnv, runCliCaptured, type CliOutcome } from './cli-harness.js';
import { createGiteaMock, GITEA, mockCreateLabels, mockCreatePullFor, mockListLabels, mockListPulls, type GiteaMock } from './gitea-e2e-mocks.js';
import { branchOf, createE2eRig, SHAPES, type E2eRig } from './github-e2e.js';
import { SHAPES_LABELS } from './github-e2e-expect.js';
import { expectNoToken } from './token-leaks.js';

export * from './gitea-e2e-mocks.js';

/**
 * The whole CLI (`scrum-apply run --apply --forge gitea`) against the GitHub end-to-end rig's
 * repository, bare origin and LLM stand-in, with Gitea's API mocked by gitea-e2e-mocks.
 */

/** The user name the Gitea forge gives git with the token. */
export const GIT_USER = 'scrum-apply';

/** A different patch for shapes.rs than the recorded one: one fix instead of two. */
export const ONE_FIX = JSON.stringify({
  patches: [
    {
      old_string: '        3.14159 * self.radius * self.radius',
      new_string: '        std::f64::consts::PI * self.radius * self.radius',
      rationale: 'use the exact constant',
      confidence: 95,
    },
  ],
});
export const ONE_FIX_PATCHES = [{ old_string: '        3.14159 * self.radius * self.radius', new_string: '        std::f64::consts::PI * self.radius * self.radius' }];
export const ONE_FIX_LABELS = SHAPES_LABELS.map((name) => (name === 'patches:2' ? 'patches:1' : name));

/** 40 hex digits: the shape of a Gitea access token. */
export function randomGiteaToken(): string {
  return randomBytes(20).toString('hex');
}

export interface GiteaRig extends Omit<E2eRig, 'target' | 'newMock' | 'env' | 'run'> {
  token: string;
  /** GITEA_URL, GITEA_TOKEN and GITEA_REPOSITORY for this rig. */
  giteaEnv: NodeJS.ProcessEnv;
  newMock(): GiteaMock;
  /** `scrum-apply ...args` in the work tree, with the LLM and data directory set and `forgeEnv` on top. */
  cli(args: string[], forgeEnv: NodeJS.ProcessEnv): Promise<CliOutcome>;
  /** `scrum-apply run --apply --forge gitea --audit-log … ...extra` with the GITEA_* variables. */
  run(extraArgs?: string[]): Promise<CliOutcome>;
  /** The token appears nowhere in the run's output or the audit log. */
  expectNoToken(result: CliOutcome): void;
}

export async function createGiteaRig(options: Parameters<typeof createE2eRig>[0] = {}): Promise<GiteaRig> {
  const { target: _target, newMock: _newMock, env: _env, run: _run, ...rig } = await createE2eRig(options);
  const token = randomGiteaToken();
  const giteaEnv = { GITEA_URL: GITEA.url, GITEA_TOKEN: token, GITEA_REPOSITORY: `${GITEA.owner}/${GITEA.repo}` };
  const cli = (args: string[], forgeEnv: NodeJS.ProcessEnv) =>
    runCliCaptured(args, rig.repo.dir, baseEnv({ SCRUM_APPLY_LLM_URL: rig.llm.url, SCRUM_APPLY_DATA_DIR: rig.dataDir, ...forgeEnv }));
  return {
    ...rig,
    token,
    giteaEnv,
    newMock: () => createGiteaMock(token),
    cli,
    run: (extraArgs = []) => cli(['run', '--apply', '--forge', 'gitea', '--audit-log', rig.auditPath, ...extraArgs], giteaEnv),
    expectNoToken(result) {
      expectNoToken(result.stdout, token, 'stdout', GIT_USER);
      expectNoToken(result.stderr, token, 'stderr', GIT_USER);
      expectNoToken(readFileSync(rig.auditPath, 'utf8'), token, 'the audit log', GIT_USER);
    },
  };
}

/** Run once for shapes.rs alone on a repository without labels: PR #1 opened, its branch pushed. */
export async function openShapesPr(rig: GiteaRig): Promise<GiteaMock> {
  const mock = rig.newMock();
  mockListPulls(mock, []);
  mockListLabels(mock, []);
  mockCreateLabels(mock, SHAPES_LABELS.length);
  mockCreatePullFor(mock, branchOf(SHAPES), 1);
  const result = await rig.run(['--only', SHAPES]);
  expect(result.code).toBe(0);
  mock.done();
  expect(rig.lastRun().get(SHAPES)?.action).toBe('pr_opened');
  return mock;
}
