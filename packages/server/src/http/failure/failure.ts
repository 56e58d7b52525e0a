import type { ErrorObject } from "ajv";
import type { FastifyError, FastifyRequest } from "fastify";
import {
  type ErrorCode,
  RateLimitedError,
  TokenspaceError,
  ValidationError,
} from "../../domain/errors.js";
import type { ValidationProblem } from "../../domain/validation-problem.js";
import { BODY_LIMIT_BYTES, SUPPORTED_CONTENT_TYPES } from "../body-parsers.js";
import { problemsFromSchemaErrors } from "./schema-problems.js";

/**
 * Every way a request can fail on the wire, and what each looks like: the HTTP status, the
 * Compatibility API's numeric code, and the native surface's `error` text. The one table both
 * surfaces render from.
 */
export const FAILURES = {
  bad_request: { status: 400, compatCode: 10000, nativeError: "Bad Request" },
  unauthorized: { status: 401, compatCode: 20003, nativeError: "Unauthorized" },
  not_found: { status: 404, compatCode: 20404, nativeError: "Not Found" },
  request_timeout: { status: 408, compatCode: 10000, nativeError: "Request Timeout" },
  payload_too_large: { status: 413, compatCode: 10000, nativeError: "Payload Too Large" },
  unsupported_media_type: { status: 415, compatCode: 10000, nativeError: "Unsupported Media Type" },
  validation: { status: 422, compatCode: 20002, nativeError: "Unprocessable Entity" },
  headers_too_large: {
    status: 431,
    compatCode: 10000,
    nativeError: "Request Header Fields Too Large",
  },
  too_many_requests: { status: 429, compatCode: 20429, nativeError: "Too Many Requests" },
  internal: { status: 500, compatCode: 20500, nativeError: "Internal Server Error" },
  unavailable: { status: 503, compatCode: 20503, nativeError: "Service Unavailable" },
} as const;

type FailureKind = keyof typeof FAILURES;

/**
 * What each of Tokenspace's error codes means on the wire. Codes that never reach a request
 * (configuration, the command line) are internal errors if they ever do.
 */
const FAILURE_OF_CODE = {
  TS_ERR_MALFORMED_REQUEST: "bad_request",
  TS_ERR_UNAUTHENTICATED: "unauthorized",
  TS_ERR_ACTOR_CHANGED: "unauthorized",
  TS_ERR_NOT_FOUND: "not_found",
  TS_ERR_VALIDATION: "validation",
  TS_ERR_RATE_LIMITED: "too_many_requests",
  TS_ERR_STORE_UNAVAILABLE: "unavailable",
  TS_ERR_STORE_CONFLICT: "internal",
  TS_ERR_CONFIG: "internal",
  TS_ERR_DATABASE_URL: "internal",
  TS_ERR_USAGE: "internal",
  TS_ERR_REMOTE: "internal",
} as const satisfies Record<ErrorCode, FailureKind>;

/** The store's own words may name tables or hosts; a client is told only what it can act on. */
const STORE_UNAVAILABLE_MESSAGE =
  "The database is unavailable, so nothing was done. Retry after the time in the Retry-After header.";

/**
 * A 422 lists at most this many problems, each message at most MAX_MESSAGE_LENGTH characters:
 * an error body stays a few kilobytes whatever the request held.
 */
const MAX_PROBLEMS = 20;
const MAX_MESSAGE_LENGTH = 500;

/** Where a validation problem's `url` points, on both surfaces. */
export const VALIDATION_URL = "https://signalwire.com/docs/apis/error-codes";

export interface Failure {
  readonly kind: FailureKind;
  readonly message: string;
  /** For `too_many_requests`: when to try again. */
  readonly retryAfterSeconds?: number;
  /** For `validation`: one entry per problem, never empty. */
  readonly problems: readonly ValidationProblem[];
}

export function failure(
  kind: FailureKind,
  message: string,
  problems: readonly ValidationProblem[] = [],
): Failure {
  return {
    kind,
    message: bounded(message),
    problems: problems
      .slice(0, MAX_PROBLEMS)
      .map((problem) => ({ ...problem, message: bounded(problem.message) })),
  };
}

function bounded(message: string): string {
  return message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)}…` : message;
}

/** Classifies any error thrown while serving a request; never exposes internals. */
export function toFailure(error: unknown, request: FastifyRequest): Failure {
  if (error instanceof ValidationError) return failure("validation", error.message, error.problems);
  if (error instanceof RateLimitedError) {
    return {
      ...failure("too_many_requests", error.message),
      retryAfterSeconds: error.retryAfterSeconds,
    };
  }
  if (error instanceof TokenspaceError) {
    const kind = FAILURE_OF_CODE[error.code];
    if (kind === "unavailable") return failure(kind, STORE_UNAVAILABLE_MESSAGE);
    if (kind !== "internal") return failure(kind, error.message);
    return internalFailure(request);
  }
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case "FST_ERR_VALIDATION":
      return schemaFailure(fastifyError, request);
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return failure(
        "payload_too_large",
        `The request body is larger than the ${BODY_LIMIT_BYTES / 1024 / 1024} MiB limit.`,
      );
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return failure(
        "unsupported_media_type",
        `Content-Type ${JSON.stringify(request.headers["content-type"] ?? "")} is not supported; send the body as ${SUPPORTED_CONTENT_TYPES.join(" or ")}.`,
      );
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return failure(
        "bad_request",
        'The request body is not valid JSON. Send a JSON object such as {"name": "my-token", "permissions": ["calling"]}.',
      );
    case "FST_ERR_BAD_URL":
      return failure(
        "bad_request",
        "The URL is not valid: it holds a malformed percent-encoded character.",
      );
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return failure(
        "bad_request",
        "The Content-Length header does not match the body that was sent.",
      );
  }
  const status = fastifyError.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return failure("bad_request", "The request is malformed and cannot be processed.");
  }
  return internalFailure(request);
}

function internalFailure(request: FastifyRequest): Failure {
  return failure(
    "internal",
    `Something went wrong on the server while handling this request (request id ${request.id}); the server log has the details under that id.`,
  );
}

function schemaFailure(error: Partial<FastifyError>, request: FastifyRequest): Failure {
  const errors = (error.validation ?? []) as ErrorObject[];
  if (error.validationContext === "body") {
    const notAnObject = errors.find((item) => item.instancePath === "" && item.keyword === "type");
    if (notAnObject) {
      return failure(
        "bad_request",
        "The request body must be an object of named fields (JSON or form-encoded).",
      );
    }
    const [first, ...rest] = problemsFromSchemaErrors(
      errors,
      request.body,
      request.routeOptions.schema?.body,
    );
    if (first) return failure("validation", first.message, [first, ...rest]);
  }
  const [item] = errors;
  const part = error.validationContext === "querystring" ? "querystring" : "params";
  const name = item?.instancePath.replace(/^\//, "") ?? "";
  const fields = (request.routeOptions.schema?.[part] as ParameterSchema | undefined)?.properties;
  const field = fields?.[name];
  const expected =
    field?.format === "uuid"
      ? "a UUID such as ea14556a-984f-11ee-b9d1-0242ac120002"
      : (field?.description ?? "a valid value");
  const location = part === "querystring" ? "query parameter" : "path segment";
  return failure("bad_request", `The ${location} ${name} is not valid: expected ${expected}.`);
}

interface ParameterSchema {
  readonly properties?: Record<string, { readonly description?: string; readonly format?: string }>;
}
