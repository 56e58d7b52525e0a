import { StoreConflictError, StoreUnavailableError } from "../../domain/errors.js";

/** SQLSTATE classes and codes that mean "the database cannot serve this now". */
const UNAVAILABLE_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300", "57014"]);
const UNAVAILABLE_ERRNOS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);
/**
 * pg-pool's words when no connection of the pool came free within the connect timeout: the
 * database answers, but this node asks more of it at once than its pool holds.
 */
const POOL_BUSY_MESSAGE = "timeout exceeded when trying to connect";
const UNAVAILABLE_MESSAGES = [
  "Connection terminated",
  "Query read timeout",
  "Client has encountered a connection error",
  "Connection ended",
];

/**
 * Tells a lost or refused database apart from a bug: the first becomes StoreUnavailableError
 * (a 503 the client may retry), a unique violation becomes StoreConflictError, anything else
 * is rethrown as it is.
 */
export function classifyPostgresError(error: unknown): unknown {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === "string" ? message : "";
  if (code === "23505") return new StoreConflictError(text);
  if (text.includes(POOL_BUSY_MESSAGE)) {
    return new StoreUnavailableError(
      `Every PostgreSQL connection of this node stayed busy past TOKENSPACE_PG_CONNECT_TIMEOUT_MS (the pool holds TOKENSPACE_PG_POOL_SIZE): ${text}`,
    );
  }
  const unavailable =
    (typeof code === "string" &&
      (code.startsWith("08") || UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_ERRNOS.has(code))) ||
    UNAVAILABLE_MESSAGES.some((fragment) => text.includes(fragment));
  return unavailable ? new StoreUnavailableError(`The database cannot be reached: ${text}`) : error;
}
