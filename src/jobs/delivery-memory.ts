export interface DeliveryMemory {
  /** True when `id` was remembered and has not expired. */
  has(id: string): boolean;
  remember(id: string): void;
}

/**
 * The webhook deliveries seen lately, bounded in number and age, so a redelivery (same
 * delivery id) can be told apart without the memory growing for ever.
 */
export function createDeliveryMemory(options: { maxEntries: number; ttlMs: number; now: () => number }): DeliveryMemory {
  // A Map iterates in insertion order: the first key is always the oldest.
  const seen = new Map<string, number>();

  function evict(): void {
    const now = options.now();
    for (const [id, expires] of seen) {
      if (expires > now && seen.size <= options.maxEntries) break;
      seen.delete(id);
    }
  }

  return {
    has(id) {
      evict();
      return seen.has(id);
    },
    remember(id) {
      seen.delete(id);
      seen.set(id, options.now() + options.ttlMs);
      evict();
    },
  };
}
