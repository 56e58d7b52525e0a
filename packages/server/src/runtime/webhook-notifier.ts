import { createHmac } from "node:crypto";
import type { LifecycleEvent, LifecycleEvents } from "../domain/lifecycle-events.js";
import type { WebhookSettings } from "./config.js";

/** Attempts per event: the first, then retries waiting 1, 2, 4, 8 and 16 times the base. */
const ATTEMPTS = 6;
/** Deliveries waiting at once, at most; beyond it the oldest are dropped (and logged). */
const QUEUE_LIMIT = 10_000;
const ATTEMPT_TIMEOUT_MS = 5000;
/** How long closing waits for deliveries still in flight. */
const CLOSE_GRACE_MS = 5000;

/**
 * Delivers lifecycle events to the operator's webhook: a JSON POST signed with HMAC-SHA-256
 * over `timestamp.body` (headers X-Tokenspace-Event, X-Tokenspace-Timestamp,
 * X-Tokenspace-Signature: `sha256=<hex>`), retried with exponential backoff until a 2xx. Pending
 * deliveries live in memory: a process that stops drops what it could not deliver by then.
 */
export class WebhookNotifier implements LifecycleEvents {
  readonly #inFlight = new Set<Promise<void>>();
  #closed = false;

  constructor(
    private readonly settings: WebhookSettings,
    private readonly warn: (details: object, message: string) => void,
  ) {}

  publish(event: LifecycleEvent): void {
    if (this.#closed) return;
    if (this.#inFlight.size >= QUEUE_LIMIT) {
      this.warn(
        { event: event.type, tokenId: event.token.id },
        "webhook queue full; event dropped",
      );
      return;
    }
    const delivery = this.#deliver(event).finally(() => this.#inFlight.delete(delivery));
    this.#inFlight.add(delivery);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.race([
      Promise.allSettled([...this.#inFlight]),
      new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref()),
    ]);
  }

  async #deliver(event: LifecycleEvent): Promise<void> {
    const body = JSON.stringify({
      type: event.type,
      occurred_at: event.occurredAt.toISOString(),
      token: { id: event.token.id, project_id: event.token.projectId, name: event.token.name },
    });
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = createHmac("sha256", this.settings.secret)
        .update(`${timestamp}.${body}`)
        .digest("hex");
      let outcome: string;
      try {
        const response = await fetch(this.settings.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-tokenspace-event": event.type,
            "x-tokenspace-timestamp": timestamp,
            "x-tokenspace-signature": `sha256=${signature}`,
          },
          body,
          signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
        });
        await response.body?.cancel();
        if (response.ok) return;
        outcome = `answered ${response.status}`;
      } catch (error) {
        outcome = error instanceof Error ? error.message : String(error);
      }
      if (attempt === ATTEMPTS || this.#closed) {
        this.warn(
          { event: event.type, tokenId: event.token.id, attempts: attempt, outcome },
          "webhook not delivered; giving up",
        );
        return;
      }
      await new Promise((resolve) =>
        setTimeout(resolve, this.settings.retryBaseMs * 2 ** (attempt - 1)).unref(),
      );
    }
  }
}
