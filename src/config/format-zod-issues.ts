import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text;
}

function describeIssue(issue: Issue): string[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key`);
  }
  const where = formatPath(issue.path);
  // "Invalid input: expected number, received string" says "invalid" twice once we add context.
  const message = issue.message.replace(/^Invalid input: /u, '');
  return [where === '' ? message : `${where}: ${message}`];
}

/** Zod issues as one line: `check.timeoutSeconds: expected number, received string; ...`. */
export function formatZodIssues(issues: readonly Issue[], maxIssues = 3): string {
  const lines = issues.flatMap(describeIssue);
  const shown = lines.slice(0, maxIssues).join('; ');
  const hidden = lines.length - maxIssues;
  return hidden > 0 ? `${shown}; and ${hidden} more` : shown;
}
