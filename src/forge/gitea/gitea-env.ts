/** What `createGiteaForge` needs from the environment (minus logger and redactor). */
export interface GiteaSettings {
  /** Base URL without a trailing slash, e.g. `https://gitea.example.com`. */
  url: string;
  token: string;
  owner: string;
  repo: string;
}

const REPOSITORY = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/;

/** The first variable that is set and not empty, and its name (for error messages). */
function pick(env: NodeJS.ProcessEnv, names: string[]): { name: string; value: string } | null {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return null;
}

function required(env: NodeJS.ProcessEnv, names: string[], what: string): { name: string; value: string } {
  const found = pick(env, names);
  if (found) return found;
  throw new Error(`${names.join(' or ')} is not set: ${what}`);
}

function parseUrl(name: string, value: string): string {
  const shape = `${name} must be the Gitea server's http(s) base URL, e.g. https://gitea.example.com`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${shape}; it is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`${shape}; it uses ${url.protocol}`);
  // Credentials in the URL would ride along into logs and errors; the token has its own variable.
  if (url.username || url.password) throw new Error(`${shape}; it must not contain credentials (use GITEA_TOKEN)`);
  if (url.search || url.hash) throw new Error(`${shape}; it must not have a query or fragment`);
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
}

/**
 * Gitea settings from `GITEA_URL`, `GITEA_TOKEN`, `GITEA_REPOSITORY` (`owner/name`). Under
 * Gitea Actions (`GITEA_ACTIONS=true`) the runner's `GITHUB_SERVER_URL`, `GITHUB_REPOSITORY`
 * and `GITHUB_TOKEN` stand in for missing ones; the `GITEA_*` variables win when both are set.
 */
export function giteaSettingsFromEnv(env: NodeJS.ProcessEnv): GiteaSettings {
  const actions = env.GITEA_ACTIONS === 'true';
  const names = (gitea: string, github: string) => (actions ? [gitea, github] : [gitea]);

  const url = required(env, names('GITEA_URL', 'GITHUB_SERVER_URL'), "the Gitea server's base URL, e.g. https://gitea.example.com");
  const token = required(env, names('GITEA_TOKEN', 'GITHUB_TOKEN'), 'a Gitea access token with write access to the repository');
  const repository = required(env, names('GITEA_REPOSITORY', 'GITHUB_REPOSITORY'), 'the repository as owner/name');

  const match = REPOSITORY.exec(repository.value);
  const owner = match?.[1];
  const repo = match?.[2];
  if (!owner || !repo || repo === '.' || repo === '..') {
    throw new Error(`${repository.name} must be owner/name (letters, digits, "_", "-", "."), got "${repository.value.slice(0, 100)}"`);
  }
  return { url: parseUrl(url.name, url.value), token: token.value, owner, repo };
}
