import type { DashboardForge, DashboardIssue, LabelSpec } from '../types.js';
import type { GitHubRepo } from './github-api.js';
import { createIssue, editIssueBody, listLabelledIssues, type GitHubIssue } from './github-issues-api.js';

/** The dashboard issue on GitHub: found by label and marker, created once, edited in place. */
export function createGitHubDashboard(
  api: GitHubRepo,
  deps: { guard: <T>(what: string, run: () => Promise<T>) => Promise<T>; ensureLabels: (labels: LabelSpec[]) => Promise<void> },
): DashboardForge {
  const { guard } = deps;
  return {
    findDashboard: (label, marker) =>
      guard('listing the dashboard issues', async () => {
        const ours = (await listLabelledIssues(api, label)).filter((issue) => issue.pull_request == null && issue.body.includes(marker));
        const newest = ours.reduce<GitHubIssue | null>((best, issue) => (best === null || issue.number > best.number ? issue : best), null);
        return newest === null ? null : toDashboardIssue(newest);
      }),

    async createDashboard(title, body, label) {
      await deps.ensureLabels([label]);
      return toDashboardIssue(await guard('creating the dashboard issue', () => createIssue(api, { title, body, labels: [label.name] })));
    },

    editDashboard: (number, body) => guard(`editing the dashboard issue #${number}`, () => editIssueBody(api, number, body)),
  };
}

function toDashboardIssue(issue: GitHubIssue): DashboardIssue {
  return { number: issue.number, url: issue.html_url, state: issue.state, body: issue.body };
}
