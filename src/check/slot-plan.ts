/**
 * The order files go to the model and the worktree slot each file's check asks for. A slot
 * that checks a file of another Cargo package than last time also rebuilds that package
 * (putting the last file back made it dirty); keeping each package's files in one slot saves
 * those rebuilds. Packages fill the slots in turn, each slot up to an equal share (a package
 * larger than that spills into the next slot), and the model is asked in rounds that give
 * every slot its share of the answers at once: `concurrency / slots` files of each slot's
 * list per round. Within a slot, files keep their selection order.
 *
 * Returns the positions of `files` in the order to ask, each with its slot; with one slot
 * (or one file), the selection order as it is, without slots.
 */
export function planSlots(files: ReadonlyArray<{ pkg: string | null }>, options: { slots: number; concurrency: number }): Array<{ at: number; slot?: number }> {
  const slots = Math.max(1, Math.floor(options.slots));
  if (slots === 1 || files.length <= 1) return files.map((_, at) => ({ at }));
  const groups = new Map<string, number[]>();
  files.forEach((file, at) => {
    const key = file.pkg ?? '';
    groups.set(key, [...(groups.get(key) ?? []), at]);
  });
  const share = Math.ceil(files.length / slots);
  const lists: number[][] = Array.from({ length: slots }, () => []);
  let slot = 0;
  for (const members of groups.values()) {
    for (const at of members) {
      if ((lists[slot]?.length ?? 0) >= share) slot += 1;
      lists[slot]?.push(at);
    }
  }
  const perRound = Math.max(1, Math.ceil(options.concurrency / slots));
  const plan: Array<{ at: number; slot: number }> = [];
  for (let round = 0; plan.length < files.length; round += 1) {
    lists.forEach((list, index) => {
      for (const at of list.slice(round * perRound, (round + 1) * perRound)) plan.push({ at, slot: index });
    });
  }
  return plan;
}
