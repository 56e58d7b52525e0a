import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { FAILURE_STATUS, type Failure, toFailure } from "./failure.js";

const AUTH_CHALLENGE = 'Basic realm="Tokenspace"';
const RETRY_AFTER_SECONDS = "1";

export type FailureRenderer = (failure: Failure, request: FastifyRequest) => object;

/**
 * A Fastify error handler for one API surface: classifies the error, logs what the operator
 * needs (never a request body or credential), and answers in the surface's error shape.
 */
export function failureHandler(render: FailureRenderer) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const failure = toFailure(error, request);
    if (failure.kind === "internal") request.log.error({ err: error }, "request failed");
    sendFailure(reply, failure, render(failure, request));
  };
}

export function sendFailure(reply: FastifyReply, failure: Failure, body: object): FastifyReply {
  reply.code(FAILURE_STATUS[failure.kind]);
  if (failure.kind === "unauthorized") reply.header("www-authenticate", AUTH_CHALLENGE);
  const retryable = failure.kind === "too_many_requests" || failure.kind === "unavailable";
  if (retryable && !reply.hasHeader("retry-after"))
    reply.header("retry-after", RETRY_AFTER_SECONDS);
  return reply.send(body);
}
