import { boundedCache } from "../domain/bounded-cache.js";
import type { CounterState, Counters } from "../domain/counters.js";

/** Most keys counted at once; the least recently counted are forgotten first. */
const MAX_KEYS = 100_000;

interface Window {
  count: number;
  readonly endsAt: number;
}

/** Counts in this process only: for a single node (the embedded SQLite store). */
export class MemoryCounters implements Counters {
  readonly #windows = boundedCache<string, Window>(MAX_KEYS);

  async hit(key: string, windowMs: number, amount = 1): Promise<CounterState> {
    const now = Date.now();
    let window = this.#windows.get(key);
    if (!window || window.endsAt <= now) {
      window = { count: 0, endsAt: now + windowMs };
      this.#windows.set(key, window);
    }
    window.count += amount;
    return { count: window.count, resetInMs: window.endsAt - now };
  }

  async close(): Promise<void> {}
}
