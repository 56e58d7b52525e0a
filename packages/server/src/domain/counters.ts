/** Where a count stands: events so far in the current window, and when that window ends. */
export interface CounterState {
  readonly count: number;
  readonly resetInMs: number;
}

/**
 * Events counted per key in fixed windows: the port behind request budgets. Implementations
 * keep counts in this process, in PostgreSQL, or in Redis; the last two share them between
 * every node that uses the same database or Redis.
 */
export interface Counters {
  /**
   * Counts `amount` events (one unless given) under `key` in a window of `windowMs` starting at
   * its first event.
   */
  hit(key: string, windowMs: number, amount?: number): Promise<CounterState>;
  close(): Promise<void>;
}
