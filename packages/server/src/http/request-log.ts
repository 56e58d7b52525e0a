import {
  type FastifyBaseLogger,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";

/**
 * One log line per request, written when the response is done: method, path, status and time,
 * under the request id. Headers and bodies are never logged, so neither credentials nor token
 * secrets can reach the log this way.
 */
export class RequestLog extends LogController {
  /** `lines` writes the request lines; it need not redact (see Loggers.requestLines). */
  constructor(private readonly lines: FastifyBaseLogger) {
    super();
  }

  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      reqId: request.id,
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      responseTimeMs: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (error) reply.log.error({ ...line, err: error }, "request errored");
    else this.lines.info(line, "request");
  }
}
