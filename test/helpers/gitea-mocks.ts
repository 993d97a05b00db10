import { Writable } from 'node:stream';
import nock from 'nock';
import { createGiteaForge, type GiteaForgeOptions } from '../../src/forge/gitea/gitea-forge.js';
import { createLogger } from '../../src/log/logger.js';
import { createRedactor } from '../../src/log/redact.js';

/**
 * Gitea API mocks: payloads shaped like Gitea 1.21+ answers (swagger `PullRequest`,
 * `Label`, `Comment`, `RepoCollaboratorPermission`), including fields we do not read, and
 * one nock scope per test that insists on the `Authorization: token` header.
 */

export const GITEA_URL = 'https://gitea.example.test';
export const GITEA_TOKEN = 'gitea-test-token-7f3a9c2e1b';
export const OWNER = 'acme';
export const REPO = 'widgets';
export const REPO_ID = 7;
export const API = `/api/v1/repos/${OWNER}/${REPO}`;

/** Where the mocked Gitea lives: tests of the whole CLI pick their own. */
export interface GiteaTarget {
  url: string;
  owner: string;
  repo: string;
}

const DEFAULT_TARGET: GiteaTarget = { url: GITEA_URL, owner: OWNER, repo: REPO };

export function giteaApi(): nock.Scope {
  return nock(GITEA_URL, { reqheaders: { authorization: `token ${GITEA_TOKEN}` } });
}

export interface PullFixture {
  number: number;
  head: string;
  base?: string;
  title?: string;
  body?: string;
  state?: 'open' | 'closed';
  merged?: boolean;
  labels?: Array<{ id: number; name: string }>;
  /** Head repository id; another value than REPO_ID makes it a fork's PR. */
  headRepoId?: number;
  /** The head branch was deleted: Gitea then reports `ref` as `refs/pull/N/head`. */
  headDeleted?: boolean;
  headSha?: string;
  createdAt?: string;
  /** When it was closed (merged or not); a closed PR without one is closed at 2024-05-02. */
  closedAt?: string;
}

function repository(id: number, target: GiteaTarget) {
  const name = id === REPO_ID ? target.repo : `fork-${id}`;
  const owner = id === REPO_ID ? target.owner : 'mallory';
  return {
    id,
    name,
    full_name: `${owner}/${name}`,
    owner: { id: 1, login: owner },
    html_url: `${target.url}/${owner}/${name}`,
    default_branch: 'main',
  };
}

export function giteaLabel(id: number, name: string, color = '00aabb', target = DEFAULT_TARGET) {
  const url = `${target.url}/api/v1/repos/${target.owner}/${target.repo}/labels/${id}`;
  return { id, name, exclusive: false, is_archived: false, color, description: '', url };
}

export function giteaPull(fixture: PullFixture, target = DEFAULT_TARGET) {
  const base = fixture.base ?? 'main';
  const headRepoId = fixture.headRepoId ?? REPO_ID;
  const page = `${target.url}/${target.owner}/${target.repo}/pulls/${fixture.number}`;
  return {
    id: 1000 + fixture.number,
    url: page,
    number: fixture.number,
    user: { id: 2, login: 'scrum-bot' },
    title: fixture.title ?? `scrum-apply: 1 mechanical fix in ${fixture.head}`,
    body: fixture.body ?? 'body',
    labels: (fixture.labels ?? []).map((label) => giteaLabel(label.id, label.name, '00aabb', target)),
    milestone: null,
    assignee: null,
    assignees: null,
    state: fixture.state ?? 'open',
    draft: false,
    is_locked: false,
    comments: 0,
    html_url: page,
    diff_url: `${page}.diff`,
    patch_url: `${page}.patch`,
    mergeable: true,
    merged: fixture.merged ?? false,
    merged_at: fixture.merged ? (fixture.closedAt ?? '2024-05-02T10:00:00Z') : null,
    merge_commit_sha: null,
    merged_by: null,
    allow_maintainer_edit: false,
    base: { label: base, ref: base, sha: 'a'.repeat(40), repo_id: REPO_ID, repo: repository(REPO_ID, target) },
    head: {
      label: fixture.head,
      ref: fixture.headDeleted ? `refs/pull/${fixture.number}/head` : fixture.head,
      sha: fixture.headSha ?? 'b'.repeat(40),
      repo_id: headRepoId,
      repo: repository(headRepoId, target),
    },
    merge_base: 'c'.repeat(40),
    due_date: null,
    created_at: fixture.createdAt ?? '2024-05-01T10:00:00Z',
    updated_at: '2024-05-01T10:00:00Z',
    closed_at: fixture.state === 'closed' ? (fixture.closedAt ?? '2024-05-02T10:00:00Z') : null,
    pin_order: 0,
  };
}

/** A real pino logger writing into an array, through the redactor. */
export function captureLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  const redact = createRedactor([]);
  return { lines, redact, logger: createLogger({ redact, destination, level: 'debug' }) };
}

export function createTestForge(overrides: Partial<GiteaForgeOptions> = {}) {
  const { lines, logger, redact } = captureLogger();
  const forge = createGiteaForge({
    url: GITEA_URL,
    token: GITEA_TOKEN,
    owner: OWNER,
    repo: REPO,
    logger,
    redact,
    ...overrides,
  });
  return { forge, logLines: lines };
}
