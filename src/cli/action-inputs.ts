import { usageError } from './exit-error.js';

/** What the Action's entry hands to the CLI: its arguments and its environment. */
export interface ActionInvocation {
  argv: string[];
  env: NodeJS.ProcessEnv;
}

/**
 * An input as the runner passes it: `INPUT_<NAME>` with spaces as `_` and upper case (hyphens
 * stay: `max-files` is `INPUT_MAX-FILES`), trimmed; '' when unset.
 */
export function actionInput(env: NodeJS.ProcessEnv, name: string): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

/** YAML 1.2's booleans, as `@actions/core`'s getBooleanInput reads them. */
function booleanInput(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = actionInput(env, name);
  if (value === '' || ['false', 'False', 'FALSE'].includes(value)) return false;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  throw usageError(`the input "${name}" must be true or false, got "${value.slice(0, 40)}"`);
}

/** The inputs that are CLI flags taking a value; `--flag=value`, so a value may start with "-". */
const VALUE_FLAGS = ['forge', 'max-files', 'min-confidence', 'model', 'reviews'] as const;

/** Every input action.yml declares (a test holds the two together). */
export const ACTION_INPUTS = ['apply', ...VALUE_FLAGS, 'only', 'token', 'llm-url', 'llm-key'] as const;

/**
 * The CLI run the Action's inputs describe (action.yml lists them). Flags go on argv; the
 * secrets (`token`, `llm-key`) only into the CLI's environment, as GITHUB_TOKEN and
 * SCRUM_APPLY_LLM_KEY, never on argv. No `INPUT_*` variable is passed on.
 */
export function actionInvocation(env: NodeJS.ProcessEnv): ActionInvocation {
  const argv = ['run'];
  if (booleanInput(env, 'apply')) argv.push('--apply');
  for (const name of VALUE_FLAGS) {
    const value = actionInput(env, name);
    if (value !== '') argv.push(`--${name}=${value}`);
  }
  for (const line of actionInput(env, 'only').split('\n')) {
    if (line.trim() !== '') argv.push(`--only=${line.trim()}`);
  }
  argv.push('--json');

  const cliEnv: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('INPUT_')));
  const variables: Array<[input: string, variable: string]> = [
    ['token', 'GITHUB_TOKEN'],
    ['llm-url', 'SCRUM_APPLY_LLM_URL'],
    ['llm-key', 'SCRUM_APPLY_LLM_KEY'],
  ];
  for (const [input, variable] of variables) {
    const value = actionInput(env, input);
    if (value !== '') cliEnv[variable] = value;
  }
  return { argv, env: cliEnv };
}
