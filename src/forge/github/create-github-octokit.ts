import { Octokit } from '@octokit/core';
import { paginateRest } from '@octokit/plugin-paginate-rest';
import { restEndpointMethods } from '@octokit/plugin-rest-endpoint-methods';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck';
import type { Logger } from '../../log/logger.js';

/**
 * Octokit with the plugins Probot ships (REST methods, pagination, throttling, retry) but
 * without loading Probot itself: the CLI starts faster. A Probot `context.octokit` is one too.
 */
const CliOctokit = Octokit.plugin(throttling, retry, paginateRest, restEndpointMethods);
export type GitHubOctokit = InstanceType<typeof CliOctokit>;

/** How many times one request is retried after a (secondary) rate limit before it fails. */
const MAX_RATE_LIMIT_RETRIES = 2;

export interface GitHubOctokitOptions {
  token: string;
  /** `GITHUB_API_URL`, e.g. `https://api.github.com` or a GHES `https://host/api/v3`. */
  baseUrl: string;
  logger: Logger;
  /** False turns rate-limit handling off (tests that do not exercise it stay fast). */
  throttle?: boolean;
  /** Retries of a 5xx/network failure (plugin-retry; default 3). */
  retries?: number;
  /**
   * False: writes stay serial but are not spaced out (the throttling plugin's default is 1 s
   * between writes and 3 s between writes that notify, such as opening a PR). For tests and
   * GitHub-compatible servers without secondary limits; a rate-limit answer is still waited out.
   */
  spaceWrites?: boolean;
}

/**
 * An Octokit with Probot's plugins (throttling, retry, pagination) authenticated with a token.
 * A rate-limited request waits for `retry-after` / the reset time and is retried at most twice;
 * keeping writes serial is the pipeline's job.
 */
export function createGitHubOctokit(options: GitHubOctokitOptions): GitHubOctokit {
  const log = options.logger.child({ component: 'github' });
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      const retry = retryCount < MAX_RATE_LIMIT_RETRIES;
      log.warn({ kind, method: request.method, url: request.url, retryAfter, retryCount, retry }, 'GitHub rate limit hit');
      return retry;
    };
  return new CliOctokit({
    auth: options.token,
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    log,
    throttle:
      options.throttle === false
        ? { enabled: false }
        : {
            enabled: true,
            onRateLimit: onLimit('primary'),
            onSecondaryRateLimit: onLimit('secondary'),
            // The plugin's own spacing groups are shared by every Octokit in the process, so
            // unspaced ones are this instance's own.
            ...(options.spaceWrites === false ? { write: unspacedSerialGroup(), notifications: unspacedSerialGroup() } : {}),
          },
    retry: { retries: options.retries ?? 3 },
  });
}

/** One request at a time per key, with no pause between them. */
function unspacedSerialGroup(): Bottleneck.Group {
  return new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 });
}
