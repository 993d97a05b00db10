import type PQueue from 'p-queue';
import type { Forge } from '../forge/types.js';

/**
 * The forge with its writes (labels, creating and updating PRs) going through `queue` one at
 * a time, as forges ask of bots (GitHub's secondary rate limits punish concurrent writes),
 * while everything else about publishing a file — deciding, pushing — runs concurrently.
 * One createPr is one task, so a PR's own writes (create, labels) stay together.
 */
export function serialForgeWrites(forge: Forge, queue: PQueue): Forge {
  return {
    kind: forge.kind,
    maxBodyLength: forge.maxBodyLength,
    listBotPrs: (branchPrefix) => forge.listBotPrs(branchPrefix),
    ensureLabels: (labels) => queue.add(() => forge.ensureLabels(labels)),
    createPr: (pr) => queue.add(() => forge.createPr(pr)),
    updatePr: (pr, update) => queue.add(() => forge.updatePr(pr, update)),
    closePr: (pr, comment) => queue.add(() => forge.closePr(pr, comment)),
  };
}
