import type { LabelSpec } from '../types.js';
import type { GiteaLabel } from './gitea-schemas.js';

/** Gitea's PR API takes label ids, not names: this maps names to ids for one forge instance. */
export interface GiteaLabelIds {
  /** Make sure every label exists (creating missing ones) and return their ids, in order, without duplicates. */
  idsFor(labels: LabelSpec[]): Promise<number[]>;
  /** Learn ids seen on a PR (organisation labels are not in the repository's list). */
  remember(labels: GiteaLabel[]): void;
}

export interface GiteaLabelIdsDeps {
  listLabels(): Promise<GiteaLabel[]>;
  createLabel(spec: LabelSpec): Promise<GiteaLabel>;
}

/**
 * The repository's labels are listed once; a missing label is created once. Names are
 * matched exactly: Gitea treats `Bug` and `bug` as two labels. Concurrent callers share one
 * listing and one creation per name, so parallel files never create a label twice.
 */
export function createGiteaLabelIds(deps: GiteaLabelIdsDeps): GiteaLabelIds {
  const ids = new Map<string, Promise<number>>();
  let listing: Promise<void> | null = null;

  function rememberOne(label: GiteaLabel): void {
    // The first one wins: with duplicate names, keep the id we already use.
    if (!ids.has(label.name)) ids.set(label.name, Promise.resolve(label.id));
  }

  function loadOnce(): Promise<void> {
    listing ??= deps.listLabels().then(
      (labels) => labels.forEach(rememberOne),
      (error: unknown) => {
        listing = null; // a failed listing is retried by the next caller
        throw error;
      },
    );
    return listing;
  }

  function idFor(spec: LabelSpec): Promise<number> {
    const known = ids.get(spec.name);
    if (known) return known;
    const created = deps.createLabel(spec).then((label) => label.id);
    ids.set(spec.name, created);
    // A failed creation is not cached (the next call tries again); the caller sees the
    // failure through the promise returned here.
    created.catch(() => {
      if (ids.get(spec.name) === created) ids.delete(spec.name);
    });
    return created;
  }

  async function idsFor(labels: LabelSpec[]): Promise<number[]> {
    await loadOnce();
    const result: number[] = [];
    // One at a time: a first run creates a handful of labels; order keeps requests predictable.
    for (const spec of labels) {
      const id = await idFor(spec);
      if (!result.includes(id)) result.push(id);
    }
    return result;
  }

  return {
    idsFor,
    remember: (labels) => labels.forEach(rememberOne),
  };
}
