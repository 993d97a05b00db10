import type { ForgePr, PrHistory } from '../types.js';
import type { GiteaPull } from './gitea-schemas.js';

/**
 * The head branch's name. `ref` is the branch while it exists and `refs/pull/N/head` after
 * it is deleted; `label` is always the bare branch name.
 */
export function headBranchOf(pull: GiteaPull): string {
  if (!pull.head.ref.startsWith('refs/')) return pull.head.ref;
  return pull.head.label ?? pull.head.ref;
}

/**
 * A PR whose head lives in this repository. A fork's PR can carry any branch name,
 * including the bot's prefix; it is never the bot's.
 */
export function isSameRepoPull(pull: GiteaPull): boolean {
  return pull.head.repo_id === pull.base.repo_id;
}

export function toForgePr(pull: GiteaPull): ForgePr {
  return {
    number: pull.number,
    url: pull.html_url,
    state: pull.state,
    merged: pull.merged,
    headBranch: headBranchOf(pull),
    baseBranch: pull.base.ref,
    title: pull.title,
    body: pull.body,
    labels: pull.labels.map((label) => label.name),
    ...(typeof pull.created_at === 'string' ? { createdAt: pull.created_at } : {}),
  };
}

export function toPrHistory(pull: GiteaPull): PrHistory {
  return {
    number: pull.number,
    url: pull.html_url,
    headBranch: headBranchOf(pull),
    state: pull.state,
    merged: pull.merged,
    headSha: pull.head.sha || null,
    createdAt: pull.created_at ?? null,
    closedAt: pull.closed_at ?? null,
    mergedAt: pull.merged_at ?? null,
  };
}
