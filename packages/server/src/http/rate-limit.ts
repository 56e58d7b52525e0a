import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance } from "fastify";
import { RateLimitedError } from "../errors.js";

/**
 * At most `perMinute` API requests a minute for each project, counted after authentication (so
 * a project's budget is spent only by its own credentials) and per node. Off when 0.
 */
export async function registerRateLimit(app: FastifyInstance, perMinute: number): Promise<void> {
  if (perMinute <= 0) return;
  await app.register(rateLimit, {
    global: true,
    hook: "preHandler",
    max: perMinute,
    timeWindow: 60_000,
    allowList: (request) => request.principal === null,
    keyGenerator: (request) => request.principal?.projectId ?? request.ip,
    errorResponseBuilder: (_request, context) =>
      new RateLimitedError(
        `Too many requests for this project: at most ${context.max} a minute. Retry after the time in the Retry-After header (${context.after}).`,
      ),
  });
}
