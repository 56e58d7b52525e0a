import { Redis } from "ioredis";
import type { CounterState, Counters } from "../domain/counters.js";
import { StoreUnavailableError } from "../domain/errors.js";
import { redactDatabaseUrl } from "./database-url.js";

/**
 * Counts in Redis (TOKENSPACE_REDIS_URL), shared by every node that uses it: INCRBY, an expiry
 * set only by the window's first event, and the time left, in one transaction. Keys live under
 * a namespace of the deployment (derived from its server key), so deployments sharing one Redis
 * never count each other's events.
 */
export class RedisCounters implements Counters {
  private constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  static async open(url: string, namespace: string): Promise<RedisCounters> {
    const redis = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      enableOfflineQueue: false,
    });
    redis.on("error", () => {});
    try {
      await redis.connect();
    } catch (error) {
      redis.disconnect();
      throw new StoreUnavailableError(
        `Cannot use Redis at ${redactDatabaseUrl(url)}: ${(error as Error).message}`,
      );
    }
    return new RedisCounters(redis, `tokenspace:${namespace}:count:`);
  }

  async hit(key: string, windowMs: number, amount = 1): Promise<CounterState> {
    const name = this.prefix + key;
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await this.redis
        .multi()
        .incrby(name, amount)
        .pexpire(name, windowMs, "NX")
        .pttl(name)
        .exec();
    } catch (error) {
      throw new StoreUnavailableError(`Redis cannot be reached: ${(error as Error).message}`);
    }
    const count = Number(replies?.[0]?.[1] ?? 0);
    const ttl = Number(replies?.[2]?.[1] ?? windowMs);
    return { count, resetInMs: ttl > 0 ? ttl : windowMs };
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
