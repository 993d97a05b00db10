import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { z } from 'zod';
import type { AuditAction } from '../../src/report/audit-row.js';
import { EMPTY_DASHBOARD, mergeDashboard, renderDashboard } from '../../src/report/dashboard.js';
import type { FileResult } from '../../src/report/run-report.js';
import { fakeReport } from './app-fixtures.js';

export const RED_FILE = 'crates/report/src/lib.rs';
export const OPEN_FILE = 'crates/geometry/src/shapes.rs';
export const DECLINED_FILE = 'crates/geometry/src/units.rs';
export const DASHBOARD_ISSUE = 3;

function result(file: string, action: AuditAction, pr: FileResult['pr'] = null): FileResult {
  const [template] = fakeReport().results;
  if (template === undefined) throw new Error('fakeReport has no result');
  return { ...template, file, action, pr, reason: action === 'build_red_reverted' ? 'E0308 mismatched types (crates/report/src/lib.rs:9)' : null, row: { ...template.row, file, action, pr } };
}

/** A dashboard as the bot writes it (every box unticked): an open PR, a red file, a declined one. */
export function dashboardBody(): string {
  const report = fakeReport({
    results: [
      result(OPEN_FILE, 'pr_opened', { number: 12, url: 'https://github.com/acme/widgets/pull/12' }),
      result(RED_FILE, 'build_red_reverted'),
      result(DECLINED_FILE, 'skipped_closed_pr', { number: 9, url: 'https://github.com/acme/widgets/pull/9' }),
    ],
  });
  const state = mergeDashboard(EMPTY_DASHBOARD, report, { at: '2026-12-04T10:00:00.000Z', trigger: 'schedule', actor: null, model: 'qwen', url: null });
  return renderDashboard(state, { maxLength: 60_000, runBox: true });
}

/** The body with these boxes ticked (`retry crates/…`, `run-now`, …), as a person ticks them. */
export function tick(body: string, ...boxes: string[]): string {
  return boxes.reduce((text, box) => {
    const [action, file] = box.split(' ');
    const marker = `- [ ] <!-- scrum-apply:${action}${file === undefined ? '' : ` ${encodeURIComponent(file)}`} -->`;
    if (!text.includes(marker)) throw new Error(`no box ${box} in the dashboard`);
    return text.replace(marker, marker.replace('[ ]', '[x]'));
  }, body);
}

export interface IssueEditOptions {
  body: string;
  /** The body before the edit; undefined: the payload says nothing of it. */
  from?: string;
  login?: string;
  userType?: 'User' | 'Bot';
  issueNumber?: number;
  action?: string;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : {};
}

const Definition = z.object({ name: z.string(), examples: z.array(z.unknown()) });

/** GitHub's own `issues` `edited` example from @octokit/webhooks-examples, adapted. */
export function githubIssueEditPayload(options: IssueEditOptions): Record<string, unknown> {
  const path = createRequire(import.meta.url).resolve('@octokit/webhooks-examples');
  const definitions = z.array(Definition).parse(JSON.parse(readFileSync(path, 'utf8')));
  const example = (definitions.find((d) => d.name === 'issues')?.examples ?? []).map(record).find((e) => e.action === 'edited');
  if (example === undefined) throw new Error('no issues edited example in @octokit/webhooks-examples');
  const sender = { ...record(example.sender), login: options.login ?? 'octocat', type: options.userType ?? 'User' };
  const repository = record(example.repository);
  return {
    ...structuredClone(example),
    action: options.action ?? 'edited',
    issue: { ...record(example.issue), number: options.issueNumber ?? DASHBOARD_ISSUE, body: options.body },
    changes: options.from === undefined ? {} : { body: { from: options.from } },
    repository: { ...repository, name: 'widgets', full_name: 'acme/widgets', owner: { ...record(repository.owner), login: 'acme' } },
    sender,
    installation: { id: 1 },
  };
}

/** Gitea 1.21's `issues` `edited` payload, built from its `issue_comment` fixture's issue, repository and sender. */
export function giteaIssueEditPayload(options: IssueEditOptions): Record<string, unknown> {
  const fixture = record(JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/webhooks/gitea-issue-comment.json'), 'utf8')));
  const login = options.login ?? 'maintainer';
  const repository = record(fixture.repository);
  const number = options.issueNumber ?? DASHBOARD_ISSUE;
  return {
    action: options.action ?? 'edited',
    number,
    ...(options.from === undefined ? {} : { changes: { body: { from: options.from } } }),
    issue: { ...record(fixture.issue), number, body: options.body, pull_request: null },
    repository: { ...repository, name: 'widgets', full_name: 'acme/widgets', owner: { ...record(repository.owner), login: 'acme', username: 'acme' } },
    sender: { ...record(fixture.sender), login, username: login },
    commit_id: '',
  };
}
