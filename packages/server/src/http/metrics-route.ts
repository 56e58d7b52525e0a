import type { FastifyInstance } from "fastify";
import type { Metrics } from "../runtime/metrics.js";

/** GET /metrics in Prometheus' text format. */
export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics): void {
  app.get("/metrics", { schema: { hide: true } }, async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
}
