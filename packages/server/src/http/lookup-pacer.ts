import { LRUCache } from "lru-cache";

/** One store lookup per key per interval, for callers over their guess budget. */
const INTERVAL_MS = 1000;
/** How long a lookup may wait for its turn; one that would wait longer is not made. */
const MAX_WAIT_MS = 3000;
/** Keys whose turns are remembered, at most (the oldest are forgotten first). */
const KEYS_HELD = 10_000;

/**
 * Paces the store lookups of credentials presented from over the failed-authentication budget:
 * per key (the project id presented, else the client address), one lookup a second, in arrival
 * order, each waiting at most MAX_WAIT_MS for its turn. A credential that verifies is still
 * checked against the store before it is refused, unless more than three lookups for the same
 * key are already waiting; guessing costs the store one lookup a second per key, whatever its
 * rate.
 */
export class LookupPacer {
  readonly #nextTurn = new LRUCache<string, number>({ max: KEYS_HELD });

  /** Runs `lookup` at `key`'s next turn, or resolves to undefined when that is too far off. */
  async run<T>(key: string, lookup: () => Promise<T>): Promise<T | undefined> {
    const now = Date.now();
    const turn = Math.max(now, this.#nextTurn.get(key) ?? 0);
    if (turn - now > MAX_WAIT_MS) return undefined;
    this.#nextTurn.set(key, turn + INTERVAL_MS);
    if (turn > now) await new Promise((resolve) => setTimeout(resolve, turn - now));
    return lookup();
  }
}
