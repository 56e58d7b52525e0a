import { type Failure, type FailureKind, VALIDATION_URL } from "./failure.js";

/** The native surface names the status in `error`; validation lists every problem. */
const NATIVE_ERROR = {
  bad_request: "Bad Request",
  unauthorized: "Unauthorized",
  not_found: "Not Found",
  payload_too_large: "Payload Too Large",
  unsupported_media_type: "Unsupported Media Type",
  validation: "Unprocessable Entity",
  too_many_requests: "Too Many Requests",
  internal: "Internal Server Error",
  unavailable: "Service Unavailable",
} as const satisfies Record<FailureKind, string>;

export function renderNativeFailure(failure: Failure): object {
  if (failure.kind === "validation" && failure.problems.length > 0) {
    return {
      errors: failure.problems.map((problem) => ({
        type: "validation_error",
        code: problem.code,
        message: problem.message,
        attribute: problem.attribute,
        url: VALIDATION_URL,
      })),
    };
  }
  return { error: NATIVE_ERROR[failure.kind] };
}
