import { FAILURE_STATUS, type Failure, type FailureKind, VALIDATION_URL } from "./failure.js";

/** SignalWire's Compatibility API error codes for each kind of failure. */
const COMPAT_CODE = {
  bad_request: 10000,
  unauthorized: 20003,
  not_found: 20404,
  payload_too_large: 10000,
  unsupported_media_type: 10000,
  validation: 20002,
  too_many_requests: 20429,
  internal: 20500,
  unavailable: 20503,
} as const satisfies Record<FailureKind, number>;

const MORE_INFO = "https://signalwire.com/docs/compatibility-api/reference/errors";

/**
 * Compatibility error bodies. Token validation failures are one flat
 * `{type, code, message, attribute, url}` object (the first problem); every other failure,
 * account validation included, is `{code, message, more_info, status}`.
 */
export function renderCompatFailure(
  failure: Failure,
  validationShape: "token" | "account",
): object {
  const [problem] = failure.problems;
  if (failure.kind === "validation" && validationShape === "token" && problem) {
    return {
      type: "validation_error",
      code: problem.code,
      message: problem.message,
      attribute: problem.attribute,
      url: VALIDATION_URL,
    };
  }
  return {
    code: COMPAT_CODE[failure.kind],
    message: failure.message,
    more_info: MORE_INFO,
    status: FAILURE_STATUS[failure.kind],
  };
}
