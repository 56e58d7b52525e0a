import type { ValidationProblem } from "./validation-problem.js";

/**
 * Every failure Tokenspace raises on purpose, each with a stable `code`. None carries an HTTP
 * status: the HTTP layer maps codes to statuses and bodies in one table (`http/failure.ts`),
 * and the CLI treats any `TokenspaceError` as an expected failure and anything else as a bug.
 */
export abstract class TokenspaceError extends Error {
  abstract readonly code: ErrorCode;
}

/** The base of a failure class: Tokenspace's, or a client's (see ClientFailure), with its code. */
function failure<const Code extends ErrorCode>(code: Code) {
  abstract class Failure extends TokenspaceError {
    readonly code = code;
  }
  return Failure;
}

/**
 * A failure that answers what a client sent. These are expected, frequent (a flood of wrong
 * credentials is thousands a second) and never debugged by their stack, so none is captured:
 * capturing it is most of what constructing an Error costs.
 */
function clientFailure<const Code extends ErrorCode>(code: Code) {
  abstract class ClientFailure extends failure(code) {
    constructor(message: string) {
      const stackTraceLimit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      super(message);
      Error.stackTraceLimit = stackTraceLimit;
    }
  }
  return ClientFailure;
}

/** The stable codes, one per failure class below. */
export type ErrorCode =
  | "TS_ERR_MALFORMED_REQUEST"
  | "TS_ERR_UNAUTHENTICATED"
  | "TS_ERR_ACTOR_CHANGED"
  | "TS_ERR_NOT_FOUND"
  | "TS_ERR_VALIDATION"
  | "TS_ERR_RATE_LIMITED"
  | "TS_ERR_STORE_UNAVAILABLE"
  | "TS_ERR_STORE_CONFLICT"
  | "TS_ERR_CONFIG"
  | "TS_ERR_DATABASE_URL"
  | "TS_ERR_USAGE"
  | "TS_ERR_REMOTE";

/** The request cannot be understood at all (bad id syntax, forged page token). */
export class MalformedRequestError extends clientFailure("TS_ERR_MALFORMED_REQUEST") {}

/** The credentials are missing, wrong, revoked, or lack a permission the operation needs. */
export class AuthenticationError extends clientFailure("TS_ERR_UNAUTHENTICATED") {}

/**
 * A write made for a credential verified from a node's cache alone found the token changed
 * since (deleted, disabled, changed in any way) and wrote nothing. The HTTP layer then checks
 * the credential against the store and, if it still holds, writes again (see
 * Actor.unconfirmedTokenVersion); only a write outside it would see this error.
 */
export class ActorChangedError extends clientFailure("TS_ERR_ACTOR_CHANGED") {
  constructor() {
    super(
      "The API token that authenticated this request changed while it was made; send it again.",
    );
  }
}

export class NotFoundError extends clientFailure("TS_ERR_NOT_FOUND") {}

/** The request was understood but its content breaks a rule; one problem per broken rule. */
export class ValidationError extends clientFailure("TS_ERR_VALIDATION") {
  constructor(readonly problems: readonly [ValidationProblem, ...ValidationProblem[]]) {
    super(problems.map((problem) => problem.message).join(" "));
  }
}

/** A request budget (a project's requests, a client's failed authentications) is spent. */
export class RateLimitedError extends clientFailure("TS_ERR_RATE_LIMITED") {
  constructor(
    message: string,
    /** When the budget renews. */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/**
 * The store cannot be reached (connection refused or lost, timed out). The request may be
 * retried; nothing of it was written.
 */
export class StoreUnavailableError extends failure("TS_ERR_STORE_UNAVAILABLE") {}

/** A write would duplicate something that must be unique (an id, a secret digest). */
export class StoreConflictError extends failure("TS_ERR_STORE_CONFLICT") {}

/** A setting (environment, flag, key file) is missing or wrong; the process cannot start. */
export class ConfigError extends failure("TS_ERR_CONFIG") {}

/** DATABASE_URL names no store Tokenspace can open. */
export class DatabaseUrlError extends failure("TS_ERR_DATABASE_URL") {}

/** The command line itself is wrong: the CLI answers with its usage and exit code 2. */
export class UsageError extends failure("TS_ERR_USAGE") {}

/** A CLI command on a running server got an error answer, or no answer at all. */
export class RemoteError extends failure("TS_ERR_REMOTE") {}
