import { boundedCache } from "../domain/bounded-cache.js";

/** One store lookup per key per interval (20 a second), for callers over their guess budget. */
const INTERVAL_MS = 50;
/** How long a lookup may wait for its turn; one that would wait longer is not made. */
const MAX_WAIT_MS = 3000;
/** Keys whose turns are remembered, at most (the oldest are forgotten first). */
const KEYS_HELD = 10_000;

/**
 * Paces the store lookups of credentials presented from over the failed-authentication budget:
 * per key (the client address), one lookup every INTERVAL_MS, in arrival order, each waiting at
 * most MAX_WAIT_MS for its turn. A credential that verifies is still checked against the store
 * before it is refused, unless a queue of MAX_WAIT_MS is already waiting; guessing from one
 * address costs the store 20 lookups a second at most, whatever its rate and however many
 * project ids it presents.
 */
export class LookupPacer {
  readonly #nextTurn = boundedCache<string, number>(KEYS_HELD);

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
