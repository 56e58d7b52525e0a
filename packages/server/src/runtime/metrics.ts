import { Counter, Histogram, Registry } from "prom-client";
import type { Store } from "../domain/store.js";

/**
 * What Tokenspace reports in Prometheus' text format at /metrics: requests by route and
 * status, forward-auth outcomes, the credential cache, store latency and revocations heard.
 * Only process-local figures: each node is scraped on its own.
 */
/** What each metric measures, by its name after `tokenspace_`. */
const HELP = {
  http_requests_total: "HTTP requests answered, by route, method and status.",
  http_request_duration_seconds: "Time to answer an HTTP request, by route, method and status.",
  verify_outcomes_total:
    "Forward-auth answers: allowed, unauthorized (401), forbidden (403), rate_limited or usage_exceeded (429).",
  auth_cache_lookups_total: "Credential cache lookups, by result (hit or miss).",
  auth_failures_total:
    "Credentials refused, by whether their client was within its failed-authentication budget or over it (those are logged at debug).",
  store_query_duration_seconds: "Time a store operation took, by operation.",
  webhook_deliveries_total:
    "Webhook delivery attempts, by outcome: delivered, retried (to be tried again) or failed (given up after the whole schedule).",
  revocations_received_total: "Token changes announced by other nodes and heard by this one.",
} as const;

type MetricName = keyof typeof HELP;

export class Metrics {
  readonly registry = new Registry();
  readonly requests = this.#counter("http_requests_total", ["route", "method", "status"]);
  readonly requestDuration = this.#histogram(
    "http_request_duration_seconds",
    ["route", "method", "status"],
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  );
  readonly verifyOutcomes = this.#counter("verify_outcomes_total", ["outcome"]);
  readonly authCacheLookups = this.#counter("auth_cache_lookups_total", ["result"]);
  readonly authFailures = this.#counter("auth_failures_total", ["budget"]);
  readonly storeQueryDuration = this.#histogram(
    "store_query_duration_seconds",
    ["operation"],
    [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
  );
  readonly webhookDeliveries = this.#counter("webhook_deliveries_total", ["outcome"]);
  readonly revocationsHeard = this.#counter("revocations_received_total");

  /** An HTTP request answered, by its route's path, in `seconds`. */
  countRequest(route: string, method: string, status: number, seconds: number): void {
    const labels = { route, method, status: String(status) };
    this.requests.inc(labels);
    this.requestDuration.observe(labels, seconds);
  }

  /** A counter in this registry, named `tokenspace_<name>`, labelled by `labelNames`. */
  #counter<Label extends string>(name: MetricName, labelNames: readonly Label[] = []) {
    return new Counter<Label>({
      name: `tokenspace_${name}`,
      help: HELP[name],
      labelNames,
      registers: [this.registry],
    });
  }

  /** A histogram in this registry, in seconds, with these buckets. */
  #histogram<Label extends string>(
    name: MetricName,
    labelNames: readonly Label[],
    buckets: number[],
  ) {
    return new Histogram<Label>({
      name: `tokenspace_${name}`,
      help: HELP[name],
      labelNames,
      buckets,
      registers: [this.registry],
    });
  }

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
