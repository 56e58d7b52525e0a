import type { Store } from "./store.js";

/** The most token uses one statement records. */
const USES_PER_WRITE = 1000;

/**
 * Last-used times, recorded without a write per request: each successful authentication
 * notes the time in memory, and once a second the latest time of every token used is written
 * in one batch. A crash loses at most the last second's times; a token's last use never moves
 * back, whichever node writes last.
 */
export class UsageRecorder {
  #pending = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly onError: (error: unknown) => void,
  ) {}

  record(tokenId: string, at: Date): void {
    this.#pending.set(tokenId, at.getTime());
  }

  start(intervalMs: number): void {
    this.#timer = setInterval(() => void this.flush(), intervalMs);
    this.#timer.unref();
  }

  /** Writes what was noted so far; one flush at a time. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }

  async #write(): Promise<void> {
    if (this.#pending.size === 0) return;
    const uses = [...this.#pending].map(([tokenId, at]) => ({ tokenId, at: new Date(at) }));
    this.#pending = new Map();
    for (let start = 0; start < uses.length; start += USES_PER_WRITE) {
      try {
        await this.store.recordTokenUses(uses.slice(start, start + USES_PER_WRITE));
      } catch (error) {
        this.onError(error);
      }
    }
  }
}
