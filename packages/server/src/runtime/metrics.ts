import { Counter, Histogram, Registry } from "prom-client";
import type { Store } from "../domain/store.js";

/**
 * What Tokenspace reports in Prometheus' text format at /metrics: requests by route and
 * status, forward-auth outcomes, the credential cache, store latency and revocations heard.
 * Only process-local figures: each node is scraped on its own.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: "tokenspace_http_requests_total",
    help: "HTTP requests answered, by route, method and status.",
    labelNames: ["route", "method", "status"],
    registers: [this.registry],
  });
  readonly requestDuration = new Histogram({
    name: "tokenspace_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by route, method and status.",
    labelNames: ["route", "method", "status"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly verifyOutcomes = new Counter({
    name: "tokenspace_verify_outcomes_total",
    help: "Forward-auth answers: allowed, unauthorized (401) or forbidden (403).",
    labelNames: ["outcome"],
    registers: [this.registry],
  });
  readonly authCacheLookups = new Counter({
    name: "tokenspace_auth_cache_lookups_total",
    help: "Credential cache lookups, by result (hit or miss).",
    labelNames: ["result"],
    registers: [this.registry],
  });
  readonly storeQueryDuration = new Histogram({
    name: "tokenspace_store_query_duration_seconds",
    help: "Time a store operation took, by operation.",
    labelNames: ["operation"],
    buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    registers: [this.registry],
  });
  readonly webhookDeliveries = new Counter({
    name: "tokenspace_webhook_deliveries_total",
    help: "Webhook delivery attempts, by outcome: delivered, retried (to be tried again) or failed (given up after the whole schedule).",
    labelNames: ["outcome"],
    registers: [this.registry],
  });
  readonly revocationsHeard = new Counter({
    name: "tokenspace_revocations_received_total",
    help: "Token changes announced by other nodes and heard by this one.",
    registers: [this.registry],
  });

  /** The store, with the time of every operation observed. */
  instrument(store: Store): Store {
    const histogram = this.storeQueryDuration;
    return new Proxy(store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== "function" || typeof property !== "string") return value;
        return (...args: unknown[]) => {
          const result = value.apply(target, args);
          if (!(result instanceof Promise)) return result;
          const stop = histogram.startTimer({ operation: property });
          return result.finally(() => stop());
        };
      },
    });
  }
}
