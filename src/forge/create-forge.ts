import type { Logger } from '../log/logger.js';
import type { Redactor } from '../log/redact.js';
import type { GitAuth } from '../git/open-repo.js';
import { giteaSettingsFromEnv } from './gitea/gitea-env.js';
import { createGiteaForge } from './gitea/gitea-forge.js';
import { createGitHubOctokit } from './github/create-github-octokit.js';
import { createGitHubForge } from './github/github-forge.js';
import type { Forge, HistoryForge } from './types.js';

export type ForgeKind = 'github' | 'gitea' | 'none';

/** DESIGN.md: github when GITHUB_REPOSITORY is set (not under Gitea Actions), gitea when GITEA_URL or GITEA_ACTIONS, else none. */
export function detectForgeKind(env: NodeJS.ProcessEnv): ForgeKind {
  if (env.GITEA_ACTIONS === 'true' || env.GITEA_URL) return 'gitea';
  if (env.GITHUB_REPOSITORY) return 'github';
  return 'none';
}

export interface ForgeSetup {
  forge: (Forge & HistoryForge) | null;
  /** Credentials for pushing over HTTPS, when a token is at hand. */
  gitAuth: GitAuth | null;
}

function ownerAndRepo(variable: string, value: string | undefined): { owner: string; repo: string } {
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(value ?? '');
  if (!match?.[1] || !match[2]) throw new Error(`${variable} must be "owner/name", got "${value ?? ''}"`);
  return { owner: match[1], repo: match[2] };
}

/** The forge a CLI run talks to, from the environment. */
export function createForgeFromEnv(kind: ForgeKind, env: NodeJS.ProcessEnv, logger: Logger, redact: Redactor): ForgeSetup {
  if (kind === 'none') {
    const token = env.GITHUB_TOKEN || env.GITEA_TOKEN;
    return { forge: null, gitAuth: token ? { username: 'x-access-token', token } : null };
  }
  if (kind === 'github') {
    const token = env.GITHUB_TOKEN;
    if (!token) throw new Error('--forge github needs GITHUB_TOKEN');
    const { owner, repo } = ownerAndRepo('GITHUB_REPOSITORY', env.GITHUB_REPOSITORY);
    const octokit = createGitHubOctokit({
      token,
      baseUrl: env.GITHUB_API_URL || 'https://api.github.com',
      logger,
      // For tests and mirrors without secondary limits: writes stay serial, rate limits are still waited out.
      spaceWrites: env.SCRUM_APPLY_GITHUB_WRITE_SPACING !== 'off',
    });
    return { forge: createGitHubForge({ octokit, owner, repo, logger, redact }), gitAuth: { username: 'x-access-token', token } };
  }
  const settings = giteaSettingsFromEnv(env);
  return {
    forge: createGiteaForge({ ...settings, logger, redact }),
    gitAuth: { username: 'scrum-apply', token: settings.token },
  };
}
