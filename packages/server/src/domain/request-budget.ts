import { boundedCache } from "./bounded-cache.js";
import type { Counters } from "./counters.js";
import type { MaybeAsync } from "./maybe-async.js";

const MINUTE_MS = 60_000;
/** Keys remembered as over their budget, at most; beyond it the counters are asked again. */
const EXHAUSTED_KEYS_HELD = 10_000;

/** An event over its budget: why, and when the budget renews. */
export interface BudgetRefusal {
  readonly message: string;
  readonly retryAfterSeconds: number;
  /** What went over its budget: "failed authentications from this address". */
  readonly counted: string;
  /** This event took its key over the budget: the first refusal of the window. */
  readonly crossed: boolean;
}

/**
 * At most `perMinute` events a minute for each key (a client address, a project): an event
 * over the budget of any of its keys is refused with the time until that budget renews.
 */
export class RequestBudget {
  /**
   * Keys known to be over their budget, with when their window ends. A count only grows in its
   * window, so until then each further event is refused without a counter round trip: a
   * client hammering past its budget costs the shared counters nothing. Read with `peek`: a
   * key refused thousands of times a second need not move in the LRU's order each time.
   */
  readonly #exhausted = boundedCache<string, Exhausted>(EXHAUSTED_KEYS_HELD);

  constructor(
    private readonly counters: Counters,
    private readonly perMinute: number,
    /** What is being counted, for the refusal: "failed authentications from this address". */
    private readonly describe: (key: string) => string,
  ) {}

  /**
   * Counts one event for every key; when one of them is over its budget, the refusal: why, and
   * when that budget renews. A key known here to be over its budget refuses at once, without
   * a promise: a client guessing past its budget is refused thousands of times a second.
   */
  charge(keys: readonly string[]): MaybeAsync<BudgetRefusal | undefined> {
    const now = Date.now();
    for (const key of keys) {
      const exhausted = this.#exhausted.peek(key);
      if (exhausted !== undefined && exhausted.until > now) return exhausted.refusal(now);
    }
    return this.#count(keys, now);
  }

  async #count(keys: readonly string[], now: number): Promise<BudgetRefusal | undefined> {
    const states = await Promise.all(keys.map((key) => this.counters.hit(key, MINUTE_MS)));
    let over: { refusalOf: RefusalOf; resetInMs: number } | undefined;
    let crossed = false;
    states.forEach((state, index) => {
      const key = keys[index];
      if (key !== undefined && state.count > this.perMinute) {
        const refusalOf = this.#refusalFor(key);
        this.#exhausted.set(key, new Exhausted(now + state.resetInMs, refusalOf));
        crossed ||= state.count === this.perMinute + 1;
        if (!over || state.resetInMs > over.resetInMs) {
          over = { refusalOf, resetInMs: state.resetInMs };
        }
      }
    });
    return over?.refusalOf(retrySeconds(over.resetInMs), crossed);
  }

  /** Whether one of the keys is known, here, to be over its budget now (no counter asked). */
  exhausted(keys: readonly string[]): boolean {
    const now = Date.now();
    return keys.some((key) => (this.#exhausted.peek(key)?.until ?? 0) > now);
  }

  /** How a key's refusals read, given the seconds until its budget renews. */
  #refusalFor(key: string): RefusalOf {
    const counted = this.describe(key);
    return (seconds, crossed) => ({
      message: `Too many ${counted}: at most ${this.perMinute} a minute. Retry after ${seconds} seconds (the Retry-After header).`,
      retryAfterSeconds: seconds,
      counted,
      crossed,
    });
  }
}

type RefusalOf = (seconds: number, crossed: boolean) => BudgetRefusal;

/** Whole seconds until a budget renews, at least 1. */
function retrySeconds(resetInMs: number): number {
  return Math.max(1, Math.ceil(resetInMs / 1000));
}

/**
 * A key over its budget until its window ends, and its refusal: the same one while the seconds
 * it tells stay the same, since a flood past the budget is refused thousands of times a second.
 */
class Exhausted {
  #last: BudgetRefusal | undefined;

  constructor(
    readonly until: number,
    private readonly refusalOf: RefusalOf,
  ) {}

  refusal(now: number): BudgetRefusal {
    const seconds = retrySeconds(this.until - now);
    if (this.#last?.retryAfterSeconds !== seconds) this.#last = this.refusalOf(seconds, false);
    return this.#last;
  }
}
