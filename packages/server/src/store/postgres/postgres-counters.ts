import type pg from "pg";
import type { CounterState, Counters } from "../../domain/counters.js";
import { classifyPostgresError } from "./postgres-errors.js";

/** How often a node clears windows that ended, so the table holds only live counts. */
const SWEEP_EVERY_MS = 60_000;

/**
 * Counts in PostgreSQL, shared by every node on the database: one upsert per event in an
 * UNLOGGED table (counts are worth nothing after a crash, so they skip the WAL).
 */
export class PostgresCounters implements Counters {
  #lastSweep = Date.now();

  constructor(private readonly pool: pg.Pool) {}

  async hit(key: string, windowMs: number, amount = 1): Promise<CounterState> {
    try {
      const { rows } = await this.pool.query<{ count: number; reset_in_ms: string }>({
        name: "hit_counter",
        text: `INSERT INTO counters AS c (key, count, window_ends_at)
               VALUES ($1, $3, clock_timestamp() + $2 * interval '1 millisecond')
               ON CONFLICT (key) DO UPDATE SET
                 count = CASE WHEN c.window_ends_at <= clock_timestamp() THEN $3 ELSE c.count + $3 END,
                 window_ends_at = CASE WHEN c.window_ends_at <= clock_timestamp()
                   THEN excluded.window_ends_at ELSE c.window_ends_at END
               RETURNING count,
                 (extract(epoch FROM window_ends_at - clock_timestamp()) * 1000)::bigint AS reset_in_ms`,
        values: [key, windowMs, amount],
      });
      this.#sweepNowAndThen();
      const [row] = rows;
      return {
        count: row?.count ?? amount,
        resetInMs: Math.max(0, Number(row?.reset_in_ms ?? windowMs)),
      };
    } catch (error) {
      throw classifyPostgresError(error);
    }
  }

  async close(): Promise<void> {}

  #sweepNowAndThen(): void {
    if (Date.now() - this.#lastSweep < SWEEP_EVERY_MS) return;
    this.#lastSweep = Date.now();
    this.pool
      .query("DELETE FROM counters WHERE window_ends_at < clock_timestamp()")
      .catch(() => {});
  }
}
