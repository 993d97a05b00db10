import { createHash } from 'node:crypto';

/** Longest branch name we produce (forges and file systems cope well below their own limits). */
const MAX_BRANCH_LENGTH = 200;
const HASH_LENGTH = 8;

/**
 * The per-file branch: `<prefix><path>` cleaned into a valid git ref name (it always passes
 * `git check-ref-format refs/heads/<name>`). Characters outside `[A-Za-z0-9._/-]` become `-`,
 * empty components vanish, and a component may not start with `.`, contain `..`, or end with
 * `.` or `.lock`. When cleaning changed the name (so `a b.rs` and `a-b.rs` cannot collide), or
 * the name is over 200 characters, it ends in `-` plus 8 hex digits of sha256(path).
 */
export function branchNameFor(prefix: string, path: string): string {
  const cleaned = cleanRefName(`${prefix}${path}`);
  if (cleaned.length > 0 && cleaned.length <= MAX_BRANCH_LENGTH && cleaned === `${prefix}${path}`) return cleaned;
  const hash = createHash('sha256').update(path, 'utf8').digest('hex').slice(0, HASH_LENGTH);
  const head = trimEnd(cleaned.slice(0, MAX_BRANCH_LENGTH - HASH_LENGTH - 1));
  return head.length > 0 ? `${head}-${hash}` : hash;
}

/**
 * A name that cleaning leaves as it is: certainly a valid, normalised branch name (git's own
 * `check-ref-format` accepts more, e.g. non-ASCII names).
 */
export function isCleanRefName(name: string): boolean {
  return name.length > 0 && cleanRefName(name) === name;
}

function cleanRefName(raw: string): string {
  const components = raw
    .replace(/[^A-Za-z0-9._/-]/g, '-')
    .split('/')
    .filter((component) => component.length > 0)
    .map(cleanComponent);
  return trimEnd(components.join('/'));
}

function cleanComponent(component: string): string {
  return component
    .replace(/\.{2,}/g, '-')
    .replace(/^\./, '-')
    .replace(/\.+$/, '-')
    .replace(/\.lock$/i, '-lock');
}

/** A cut may leave a trailing `/` or `.`; neither may end a ref name. */
function trimEnd(name: string): string {
  return name.replace(/[/.]+$/, '');
}
