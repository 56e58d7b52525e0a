import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { lingerBeforeClosing } from "../lingering-close.js";
import { FAILURES, type Failure, failure as failureOf, toFailure } from "./failure.js";

const AUTH_CHALLENGE = 'Basic realm="Tokenspace"';
const RETRY_AFTER_SECONDS = "1";

/** A surface's error body for a failure; `request` is absent when Node refused it unparsed. */
export type FailureRenderer = (failure: Failure, request?: FastifyRequest) => object;

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

/** A 404 for a route that does not exist, in the shape `render` gives; `where` ends the message. */
export function notFoundHandler(render: FailureRenderer, where = "") {
  return (request: FastifyRequest, reply: FastifyReply) => {
    const notFound = failureOf(
      "not_found",
      `There is no ${request.method} ${request.url.split("?")[0]}${where}.`,
    );
    sendFailure(reply, notFound, render(notFound, request));
  };
}

/**
 * A page's script that says so (`X-Requested-With: XMLHttpRequest`, as the console sends)
 * handles a 401 itself: a Basic challenge would make the browser open its own sign-in dialog
 * over the page. Every other client gets the challenge.
 */
function fromPageScript(request: FastifyRequest | undefined): boolean {
  return request?.headers["x-requested-with"] === "XMLHttpRequest";
}

export function sendFailure(reply: FastifyReply, failure: Failure, body: object): FastifyReply {
  reply.code(FAILURES[failure.kind].status);
  if (reply.request.bodyLeftUnread) {
    reply.header("connection", "close");
    lingerBeforeClosing(reply.request.raw);
  }
  if (failure.kind === "unauthorized" && !fromPageScript(reply.request)) {
    reply.header("www-authenticate", AUTH_CHALLENGE);
  }
  const retryable = failure.kind === "too_many_requests" || failure.kind === "unavailable";
  if (retryable)
    reply.header("retry-after", String(failure.retryAfterSeconds ?? RETRY_AFTER_SECONDS));
  return reply.send(body);
}
