import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';

/**
 * Step outputs for `$GITHUB_OUTPUT`, in the runner's multi-line form (`name<<DELIMITER`, the
 * value, the delimiter): safe whatever the value holds, as `@actions/core`'s setOutput writes them.
 */
export function formatGitHubOutputs(outputs: Record<string, string>, delimiter = `ghadelimiter_${randomUUID()}`): string {
  let text = '';
  for (const [name, value] of Object.entries(outputs)) {
    if (value.includes(delimiter)) throw new Error(`the output "${name}" contains the delimiter`);
    text += `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
  }
  return text;
}

export async function appendGitHubOutputs(path: string, outputs: Record<string, string>): Promise<void> {
  await appendFile(path, formatGitHubOutputs(outputs));
}
