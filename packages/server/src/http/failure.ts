import type { ErrorObject } from "ajv";
import type { FastifyError, FastifyRequest } from "fastify";
import { TokenspaceError, ValidationError } from "../domain/errors.js";
import type { ValidationProblem } from "../domain/validation-problem.js";
import { StoreUnavailableError } from "../store/store.js";
import { BODY_LIMIT_BYTES, SUPPORTED_CONTENT_TYPES } from "./body-parsers.js";
import { RateLimitedError } from "./rate-limit.js";
import { problemsFromSchemaErrors } from "./schema-problems.js";

/** Every way a request can fail, with its HTTP status: the one table both surfaces map from. */
export const FAILURE_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  not_found: 404,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation: 422,
  too_many_requests: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type FailureKind = keyof typeof FAILURE_STATUS;

/** Where a validation problem's `url` points, on both surfaces. */
export const VALIDATION_URL = "https://signalwire.com/docs/apis/error-codes";

export interface Failure {
  readonly kind: FailureKind;
  readonly message: string;
  /** For `validation`: one entry per problem, never empty. */
  readonly problems: readonly ValidationProblem[];
}

const DOMAIN_FAILURE_KIND = {
  malformed: "bad_request",
  unauthenticated: "unauthorized",
  not_found: "not_found",
  validation: "validation",
} as const satisfies Record<TokenspaceError["kind"], FailureKind>;

export function failure(
  kind: FailureKind,
  message: string,
  problems: readonly ValidationProblem[] = [],
): Failure {
  return { kind, message, problems };
}

/** Classifies any error thrown while serving a request; never exposes internals. */
export function toFailure(error: unknown, request: FastifyRequest): Failure {
  if (error instanceof ValidationError) return failure("validation", error.message, error.problems);
  if (error instanceof TokenspaceError) {
    return failure(DOMAIN_FAILURE_KIND[error.kind], error.message);
  }
  if (error instanceof RateLimitedError) return failure("too_many_requests", error.message);
  if (error instanceof StoreUnavailableError) {
    return failure(
      "unavailable",
      "The database is unavailable, so nothing was done. Retry after the time in the Retry-After header.",
    );
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
