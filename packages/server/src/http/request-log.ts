import { type FastifyReply, type FastifyRequest, LogController } from "fastify";
import type { RequestLine, RequestLines } from "../runtime/request-lines.js";

/**
 * Forward auth's allowed answers: a proxy asks once for every request it serves, and logs that
 * request itself; at info they would double the log and cost a fifth of each check. They are
 * logged at debug, and counted in tokenspace_verify_outcomes_total{outcome="allowed"}. So are
 * requests refused from over the failed-authentication budget (a guessing flood's), counted in
 * tokenspace_auth_failures_total{budget="over"}: the refusal that crossed it is logged at warn.
 */
const QUIET_WHEN_ALLOWED = new Set(["verify", "envoy_ext_authz"]);

/**
 * One log line per request, written when the response is done: method, path, status and time,
 * under the request id. Headers and bodies are never logged, so neither credentials nor token
 * secrets can reach the log this way.
 */
export class RequestLog extends LogController {
  constructor(private readonly lines: RequestLines) {
    super();
  }

  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const operation = request.routeOptions.config.operation ?? "";
    const quiet =
      !error &&
      ((reply.statusCode === 200 && QUIET_WHEN_ALLOWED.has(operation)) ||
        request.failedAuthentication === "over");
    if (quiet && !this.lines.writes("debug")) return;
    const line: RequestLine = {
      reqId: request.id,
      method: request.method,
      // The query of a request Envoy guards belongs to another service, and may carry its secrets.
      url: operation === "envoy_ext_authz" ? (request.url.split("?", 1)[0] ?? "") : request.url,
      statusCode: reply.statusCode,
      responseTimeMs: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (error) reply.log.error({ ...line, err: error }, "request errored");
    else this.lines.write(quiet ? "debug" : "info", line, "request");
  }
}
