import type { LabelSpec } from '../types.js';
import { createRepoLabel, listRepoLabels, type GitHubRepo } from './github-api.js';
import { isValidationError } from './to-forge-error.js';

/**
 * `ensureLabels` for one forge instance: the repository's labels are listed once, missing ones
 * are created once, and both are remembered for the instance's lifetime (one run), so label
 * creation is amortised over the run's PRs. GitHub label names are case-insensitive.
 */
export function createLabelEnsurer(api: GitHubRepo): (labels: LabelSpec[]) => Promise<void> {
  let known: Promise<Set<string>> | null = null;
  const created = new Map<string, Promise<void>>();

  function loadKnown(): Promise<Set<string>> {
    if (known === null) {
      const listing = listRepoLabels(api).then((labels) => new Set(labels.map((l) => l.name.toLowerCase())));
      // A failed listing is not cached: the next call tries again.
      listing.catch(() => {
        if (known === listing) known = null;
      });
      known = listing;
    }
    return known;
  }

  async function create(label: LabelSpec): Promise<void> {
    try {
      await createRepoLabel(api, {
        name: label.name,
        color: label.color,
        ...(label.description === undefined ? {} : { description: label.description }),
      });
    } catch (error) {
      // Someone (or a concurrent run) created it since we listed: that is what we wanted.
      if (!isValidationError(error, 'already_exists')) throw error;
    }
  }

  return async function ensureLabels(labels: LabelSpec[]): Promise<void> {
    if (labels.length === 0) return;
    const existing = await loadKnown();
    for (const label of labels) {
      const key = label.name.toLowerCase();
      if (existing.has(key)) continue;
      let pending = created.get(key);
      if (pending === undefined) {
        pending = create(label).then(() => {
          existing.add(key);
        });
        created.set(key, pending);
        // A failed creation is not cached (the next call tries again); the caller sees the
        // failure through `await pending` below.
        pending.catch(() => created.delete(key));
      }
      await pending;
    }
  };
}
