import { createHmac } from "node:crypto";
import type { LifecycleEvents } from "../domain/lifecycle-events.js";
import type { DeliveryRecord, Store } from "../domain/store.js";
import type { WebhookSettings } from "./config.js";
import type { Metrics } from "./metrics.js";

/**
 * The waits before each retry, in units of TOKENSPACE_WEBHOOK_RETRY_BASE_MS (1 s by default:
 * 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, over 27 hours), each stretched or shrunk by up to a
 * fifth at random so that many failed deliveries do not all come back at once.
 */
const RETRY_SCHEDULE = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000];
const JITTER = 0.2;
/** How many deliveries a node takes at once, and how long they are its own. */
const BATCH = 20;
const LEASE_MS = 15_000;
const ATTEMPT_TIMEOUT_MS = 10_000;
/** How often the outbox is read when nothing woke the deliverer. */
const POLL_MS = 1000;
/** How long closing waits for attempts in flight; the rest are retried after their lease. */
const CLOSE_GRACE_MS = 5000;

/** The key a secret stands for: Standard Webhooks' `whsec_<base64>`, or the text's bytes. */
function signingKey(secret: string): Buffer {
  return secret.startsWith("whsec_")
    ? Buffer.from(secret.slice("whsec_".length), "base64")
    : Buffer.from(secret, "utf8");
}

/** The Standard Webhooks headers of one attempt: id, timestamp and `v1,` signature. */
export function signedHeaders(
  secret: string,
  delivery: Pick<DeliveryRecord, "id" | "payload">,
  timestampSeconds: number,
): Record<string, string> {
  const signature = createHmac("sha256", signingKey(secret))
    .update(`${delivery.id}.${timestampSeconds}.${delivery.payload}`)
    .digest("base64");
  return {
    "webhook-id": delivery.id,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": `v1,${signature}`,
  };
}

/**
 * Delivers the webhook outbox: announcements the store wrote with the changes they announce.
 * Every node runs one; each delivery is leased to one node at a time and settled after its
 * attempt, so each is delivered at least once across restarts, kill -9 and many nodes. A
 * delivery still refused after the whole retry schedule is kept as failed (`tokenspace webhooks
 * failed`) and counted.
 */
export class WebhookDeliverer implements LifecycleEvents {
  readonly announcing = true;
  #wake: (() => void) | undefined;
  /** Set when an announcement came while the deliverer was busy: it looks again at once. */
  #woken = false;
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(
    private readonly store: Store,
    private readonly settings: WebhookSettings,
    private readonly warn: (details: object, message: string) => void,
    private readonly metrics: Metrics | undefined,
  ) {}

  start(): void {
    this.#running ??= this.#loop();
  }

  /** A change wrote an announcement: look now rather than at the next poll. */
  announced(): void {
    this.#woken = true;
    this.#wake?.();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    await Promise.race([
      this.#running,
      new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref()),
    ]);
  }

  async #loop(): Promise<void> {
    while (!this.#closed) {
      let taken = 0;
      try {
        const now = Date.now();
        const due = await this.store.claimDeliveries(
          new Date(now),
          BATCH,
          new Date(now + LEASE_MS),
        );
        taken = due.length;
        await Promise.all(due.map((delivery) => this.#attempt(delivery)));
      } catch (error) {
        this.warn({ err: String(error) }, "webhook outbox not read; retried shortly");
      }
      if (taken === 0 && !this.#closed) await this.#pause();
    }
  }

  #pause(): Promise<void> {
    if (this.#woken) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#woken = false;
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, POLL_MS);
      timer.unref();
      this.#wake = done;
    });
  }

  async #attempt(delivery: DeliveryRecord): Promise<void> {
    let error: string;
    try {
      const response = await fetch(this.settings.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "Tokenspace",
          ...signedHeaders(this.settings.secret, delivery, Math.floor(Date.now() / 1000)),
        },
        body: delivery.payload,
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      await response.body?.cancel();
      if (response.ok) {
        await this.store.settleDelivery(delivery.id, { delivered: new Date() });
        this.metrics?.webhookDeliveries.inc({ outcome: "delivered" });
        return;
      }
      error = `answered ${response.status}`;
    } catch (failure) {
      error = failure instanceof Error ? failure.message : String(failure);
    }
    const wait = RETRY_SCHEDULE[delivery.attempts];
    if (wait === undefined) {
      await this.store.settleDelivery(delivery.id, { failed: new Date(), error });
      this.metrics?.webhookDeliveries.inc({ outcome: "failed" });
      this.warn(
        { delivery: delivery.id, event: delivery.type, attempts: delivery.attempts + 1, error },
        "webhook not delivered after the whole retry schedule; kept as failed",
      );
      return;
    }
    const jitter = 1 + JITTER * (2 * Math.random() - 1);
    const retryAt = new Date(Date.now() + wait * this.settings.retryBaseMs * jitter);
    await this.store.settleDelivery(delivery.id, { retryAt, error });
    this.metrics?.webhookDeliveries.inc({ outcome: "retried" });
  }
}
