import { boundedCache } from "./bounded-cache.js";
import type { Counters } from "./counters.js";
import type { MaybeAsync } from "./maybe-async.js";
import type { RateLimit } from "./token-limits.js";

/** Most tokens whose windows are kept at once; the least recently verified are forgotten first. */
const MAX_TOKENS = 100_000;

/** How often a node adds what it admitted on its own to the shared counts. */
const DEFAULT_RATE_SYNC_MS = 100;

/** Where a token stands in its rate window after a verification. */
export interface RateDecision {
  readonly allowed: boolean;
  /** Verifications this window still allows. */
  readonly remaining: number;
  /** Milliseconds until the window ends and the count starts again. */
  readonly resetMs: number;
}

/** One token's window as this node sees it. */
interface WindowCount {
  readonly key: string;
  readonly index: number;
  readonly windowMs: number;
  /** Verifications this node allowed in the window. */
  admitted: number;
  /** How many of those the shared count holds. */
  pushed: number;
  /** The shared count when last heard, this node's pushed verifications included. */
  shared: number;
}

/**
 * Per-token rate limits in fixed windows aligned to the epoch (so every node agrees where a
 * window starts). Without shared counters (one node) the count is this process's and exact.
 * With them (PostgreSQL or Redis), a node allows verifications on its own while its view of the
 * window is under half the limit, adding them to the shared count every `syncMs`; past half, each
 * verification waits for the shared count. Nodes together can therefore go over the limit only
 * by what others allowed on their own and had not yet added: at most half the limit per other
 * node, and in steady traffic what each allows in one `syncMs`. A node that sees the window full
 * refuses without asking anyone.
 */
export class RateLimiter {
  readonly #windows = boundedCache<string, WindowCount>(MAX_TOKENS);
  /** Windows with verifications not yet added to the shared count. */
  readonly #unpushed = new Set<WindowCount>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly shared: Counters | undefined,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(syncMs = DEFAULT_RATE_SYNC_MS): void {
    if (!this.shared) return;
    this.#timer = setInterval(() => void this.sync(), syncMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.sync();
  }

  /** Spends one unit of the token's rate at `now` (epoch ms), or refuses. */
  take(tokenId: string, rate: RateLimit, now: number): MaybeAsync<RateDecision> {
    const window = this.#windowOf(tokenId, rate.windowMs, now);
    const resetMs = (window.index + 1) * window.windowMs - now;
    const seen = window.shared + window.admitted - window.pushed;
    if (seen >= rate.limit) return { allowed: false, remaining: 0, resetMs };
    if (this.shared && seen + 1 > rate.limit / 2) {
      return this.#takeShared(this.shared, window, rate, resetMs);
    }
    window.admitted++;
    if (this.shared) this.#unpushed.add(window);
    return { allowed: true, remaining: rate.limit - seen - 1, resetMs };
  }

  /** Adds what each window admitted on its own to the shared counts, and hears theirs back. */
  async sync(): Promise<void> {
    const shared = this.shared;
    if (!shared || this.#unpushed.size === 0) return;
    const windows = [...this.#unpushed];
    this.#unpushed.clear();
    await Promise.all(
      windows.map(async (window) => {
        const amount = window.admitted - window.pushed;
        if (amount === 0) return;
        window.pushed += amount;
        try {
          const state = await shared.hit(window.key, window.windowMs, amount);
          window.shared = Math.max(window.shared, state.count);
        } catch (error) {
          window.pushed -= amount;
          this.#unpushed.add(window);
          this.onError(error);
        }
      }),
    );
  }

  /** A verification counted in the shared count first, with what this node had not added yet. */
  async #takeShared(
    shared: Counters,
    window: WindowCount,
    rate: RateLimit,
    resetMs: number,
  ): Promise<RateDecision> {
    window.admitted++;
    const amount = window.admitted - window.pushed;
    window.pushed += amount;
    let count: number;
    try {
      ({ count } = await shared.hit(window.key, window.windowMs, amount));
      window.shared = Math.max(window.shared, count);
    } catch (error) {
      // Counted here alone until the shared counts answer again: a lost counter must not
      // turn every verification into an error.
      window.pushed -= amount;
      this.#unpushed.add(window);
      this.onError(error);
      count = window.shared + window.admitted - window.pushed;
    }
    return { allowed: count <= rate.limit, remaining: Math.max(0, rate.limit - count), resetMs };
  }

  #windowOf(tokenId: string, windowMs: number, now: number): WindowCount {
    const index = Math.floor(now / windowMs);
    let window = this.#windows.get(tokenId);
    if (window?.index !== index || window.windowMs !== windowMs) {
      window = {
        key: `rate:${tokenId}:${windowMs}:${index}`,
        index,
        windowMs,
        admitted: 0,
        pushed: 0,
        shared: 0,
      };
      this.#windows.set(tokenId, window);
    }
    return window;
  }
}
