import { createHash } from 'node:crypto';

export interface LabelInput {
  /** The audit action the PR stands for: `committed` for a published PR. */
  action: string;
  tier: string;
  confidenceAvg: number;
  reviewerModel: string;
  patchModel: string;
  applied: number;
  rejected: number;
  green: boolean;
}

/** A label as the bot wants it on a PR. */
export interface LabelSpec {
  name: string;
  /** Six hex digits, no `#`. */
  color: string;
  description?: string;
}

/** GitHub's limit is 50; Gitea's is larger. */
export const MAX_LABEL_LENGTH = 50;

const ROOT = 'scrum-apply';

/** Our label families: prefix → colour and description. The root label is `scrum-apply` alone. */
const FAMILIES = {
  'scrum-apply:': { color: '7057ff', description: 'scrum-apply: what the bot did' },
  'tier:': { color: 'fbca04', description: 'scrum-apply: review tier of the file' },
  'confidence:': { color: '1d76db', description: 'scrum-apply: average review confidence' },
  'reviewer:': { color: 'c5def5', description: 'scrum-apply: the reviewing model' },
  'patch-model:': { color: 'bfdadc', description: 'scrum-apply: the model that wrote the patches' },
  'patches:': { color: '0e8a16', description: 'scrum-apply: patches applied' },
  'rejected:': { color: 'd93f0b', description: 'scrum-apply: patches rejected by the gates' },
  'check:': { color: 'c2e0c6', description: 'scrum-apply: result of the check command' },
  'obsolete:': { color: 'cfd3d7', description: 'scrum-apply: why the bot closed this PR' },
} as const satisfies Record<string, { color: string; description: string }>;

type Family = keyof typeof FAMILIES;
const PREFIXES = Object.keys(FAMILIES);

/** The labels mirroring one file's audit row, each ≤ 50 characters. */
export function labelsFor(input: LabelInput): LabelSpec[] {
  return [
    { name: ROOT, color: '5319e7', description: 'Opened by scrum-apply: mechanical fixes from code review' },
    label('scrum-apply:', input.action),
    label('tier:', input.tier),
    label('confidence:', Number.isFinite(input.confidenceAvg) ? String(Math.floor(input.confidenceAvg)) : 'unknown'),
    label('reviewer:', input.reviewerModel),
    label('patch-model:', input.patchModel),
    label('patches:', String(input.applied)),
    label('rejected:', String(input.rejected)),
    label('check:', input.green ? 'green' : 'red'),
  ];
}

/** The action label a published PR carries (labelsFor with `committed`). */
const PUBLISHED = 'scrum-apply:committed';
/** The colour given to a label already on a PR that we pass through; it exists, so it is never used. */
const PASS_THROUGH_COLOR = 'ededed';

/**
 * The labels an obsolete PR is given before the bot closes it, so the closed PR records why:
 * its action label becomes `scrum-apply:pr_closed_obsolete` (the audit row's action) and
 * `obsolete:<cause>` is added; every other label (a person's, the review's) stays.
 */
export function obsoleteLabels(current: string[], cause: string): LabelSpec[] {
  const wanted = [label('scrum-apply:', 'pr_closed_obsolete'), label('obsolete:', cause)];
  const kept = current.filter((name) => name.toLowerCase() !== PUBLISHED && !name.toLowerCase().startsWith('obsolete:'));
  const byName = new Map(wanted.map((l) => [l.name.toLowerCase(), l]));
  return [...kept.filter((name) => !byName.has(name.toLowerCase())).map((name) => ({ name, color: PASS_THROUGH_COLOR })), ...wanted];
}

/** True for the labels the bot owns (and may replace); everything else belongs to people. */
export function isBotLabel(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === ROOT || PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/**
 * The label set for an updated PR: every label a person put there stays; the bot's families
 * are replaced by `desired`. Names compare case-insensitively, as GitHub's do.
 */
export function mergeLabels(current: string[], desired: LabelSpec[]): string[] {
  const merged = [...current.filter((name) => !isBotLabel(name)), ...desired.map((l) => l.name)];
  const seen = new Set<string>();
  return merged.filter((name) => {
    const key = name.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function label(family: Family, value: string): LabelSpec {
  const { color, description } = FAMILIES[family];
  return { name: fitLabel(family, value), color, description };
}

/**
 * `family + value`, cleaned (no whitespace, commas or invisible characters: values come from
 * the review log) and cut to 50 characters; a cut value keeps a short hash of the whole so two
 * long model names stay distinct.
 */
function fitLabel(family: Family, value: string): string {
  const clean = value.replace(/[\p{C}\p{Z}\s,]+/gu, '-').replace(/^-+|-+$/g, '') || 'unknown';
  const name = `${family}${clean}`;
  if (name.length <= MAX_LABEL_LENGTH) return name;
  const hash = createHash('sha256').update(clean, 'utf8').digest('hex').slice(0, 6);
  const room = MAX_LABEL_LENGTH - family.length - hash.length - 1;
  const head = clean.slice(0, room).replace(/[\uD800-\uDBFF]$/, '');
  return `${family}${head}~${hash}`;
}
