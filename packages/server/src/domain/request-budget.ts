import { RateLimitedError } from "../errors.js";
import type { Counters } from "./counters.js";

const MINUTE_MS = 60_000;

/**
 * At most `perMinute` events a minute for each key (a client address, a project): an event
 * over the budget of any of its keys is refused with the time until that budget renews.
 */
export class RequestBudget {
  constructor(
    private readonly counters: Counters,
    private readonly perMinute: number,
    /** What is being counted, for the refusal: "failed authentications from this address". */
    private readonly describe: (key: string) => string,
  ) {}

  /** Counts one event for every key; throws RateLimitedError when one of them is over. */
  async spend(keys: readonly string[]): Promise<void> {
    const states = await Promise.all(keys.map((key) => this.counters.hit(key, MINUTE_MS)));
    let over: { key: string; resetInMs: number } | undefined;
    states.forEach((state, index) => {
      const key = keys[index];
      if (key !== undefined && state.count > this.perMinute) {
        if (!over || state.resetInMs > over.resetInMs) over = { key, resetInMs: state.resetInMs };
      }
    });
    if (over) {
      const seconds = Math.max(1, Math.ceil(over.resetInMs / 1000));
      throw new RateLimitedError(
        `Too many ${this.describe(over.key)}: at most ${this.perMinute} a minute. Retry after ${seconds} seconds (the Retry-After header).`,
        seconds,
      );
    }
  }
}
