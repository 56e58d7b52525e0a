import pg from "pg";
import type { RevocationWatcher } from "../../domain/store.js";

const FIRST_RETRY_MS = 100;
const LONGEST_RETRY_MS = 2000;

/**
 * Holds one connection that LISTENs for token revocations and hands each to the watcher. When
 * the connection is lost it tells the watcher at once (announcements sent meanwhile go
 * unheard), reconnects with growing pauses, and tells the watcher when it hears again.
 */
export class RevocationListener {
  #client: pg.Client | undefined;
  #stopped = false;
  #retryMs = FIRST_RETRY_MS;
  #retryTimer: NodeJS.Timeout | undefined;
  #lost = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly channel: string,
    private readonly watcher: RevocationWatcher,
  ) {}

  start(): void {
    void this.#connect();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    const client = new pg.Client(this.config);
    this.#client = client;
    let lost = false;
    const onLost = () => {
      if (lost) return;
      lost = true;
      client.removeAllListeners("notification");
      client.end().catch(() => {});
      this.#scheduleReconnect();
    };
    client.on("error", onLost);
    client.on("end", onLost);
    client.on("notification", (message) => {
      if (message.payload) this.watcher.revoked(Buffer.from(message.payload, "base64"));
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
      this.#retryMs = FIRST_RETRY_MS;
      if (this.#lost) this.watcher.restored();
      this.#lost = false;
    } catch {
      onLost();
    }
  }

  #scheduleReconnect(): void {
    if (this.#stopped) return;
    if (!this.#lost) this.watcher.lost();
    this.#lost = true;
    this.#retryTimer = setTimeout(() => void this.#connect(), this.#retryMs);
    this.#retryMs = Math.min(this.#retryMs * 2, LONGEST_RETRY_MS);
  }
}
