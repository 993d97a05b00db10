/**
 * Gitea has no draft flag on its PR API: a PR is a draft ("work in progress") while its title
 * starts with one of `[repository.pull-request] WORK_IN_PROGRESS_PREFIXES`, by default `WIP:`
 * and `[WIP]`, compared case-insensitively.
 */

export const WIP_PREFIX = 'WIP: ';
const WIP_PREFIXES = ['WIP:', '[WIP]'];
/** Gitea keeps issue titles in a VARCHAR(255) column; longer titles fail on MySQL and Postgres. */
export const GITEA_MAX_TITLE_LENGTH = 255;

export function isWipTitle(title: string): boolean {
  const upper = title.toUpperCase();
  return WIP_PREFIXES.some((prefix) => upper.startsWith(prefix));
}

/** The title to send: `WIP: ` in front for a draft, cut to what Gitea stores. */
export function giteaTitle(title: string, draft: boolean): string {
  const full = draft && !isWipTitle(title) ? `${WIP_PREFIX}${title}` : title;
  const chars = [...full];
  return chars.length <= GITEA_MAX_TITLE_LENGTH ? full : `${chars.slice(0, GITEA_MAX_TITLE_LENGTH - 1).join('')}…`;
}

/**
 * An update keeps the PR's draft state as a person left it: a WIP PR stays WIP, and one a
 * person marked ready (prefix removed) is not turned back into a draft.
 */
export function updatedTitle(currentTitle: string, nextTitle: string): string {
  return giteaTitle(nextTitle, isWipTitle(currentTitle));
}
