import { FAILURES, type Failure, VALIDATION_URL } from "./failure.js";

/** The native surface names the status in `error`; validation lists every problem. */
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
  return { error: FAILURES[failure.kind].nativeError };
}
