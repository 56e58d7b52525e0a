import { FAILURES, type Failure, VALIDATION_URL } from "./failure.js";

const MORE_INFO = "https://signalwire.com/docs/compatibility-api/reference/errors";

/** Which compatibility shape a validation failure takes: tokens and accounts differ. */
export type CompatValidationShape = "token" | "account";

/**
 * Compatibility error bodies. Token validation failures are one flat
 * `{type, code, message, attribute, url}` object (the first problem); every other failure,
 * account validation included, is `{code, message, more_info, status}`.
 */
export function renderCompatFailure(
  failure: Failure,
  validationShape: CompatValidationShape,
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
  const { compatCode, status } = FAILURES[failure.kind];
  return { code: compatCode, message: failure.message, more_info: MORE_INFO, status };
}
