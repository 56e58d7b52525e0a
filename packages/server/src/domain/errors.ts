import type { ValidationProblem } from "./validation-problem.js";

/**
 * Failures the domain reports. They carry no HTTP status: each API surface decides how a
 * failure looks on its wire (see `http/failure.ts`).
 */
export abstract class TokenspaceError extends Error {
  abstract readonly kind: "malformed" | "unauthenticated" | "not_found" | "validation";
}

/** The request cannot be understood at all (bad id syntax, forged page token). */
export class MalformedRequestError extends TokenspaceError {
  readonly kind = "malformed";
}

/** The credentials are missing, wrong, revoked, or lack a permission the operation needs. */
export class AuthenticationError extends TokenspaceError {
  readonly kind = "unauthenticated";
}

export class NotFoundError extends TokenspaceError {
  readonly kind = "not_found";
}

/** The request was understood but its content breaks a rule; one problem per broken rule. */
export class ValidationError extends TokenspaceError {
  readonly kind = "validation";
  constructor(readonly problems: readonly [ValidationProblem, ...ValidationProblem[]]) {
    super(problems.map((problem) => problem.message).join(" "));
  }
}
