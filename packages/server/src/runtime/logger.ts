import pino, { type DestinationStream, type Logger } from "pino";

/** Paths that may hold a credential or a token secret; pino replaces them before writing. */
const REDACTED_PATHS = [
  "req.headers.authorization",
  "headers.authorization",
  "authorization",
  "token",
  "*.token",
  "secret",
  "*.secret",
  "password",
  "*.password",
];

interface Loggers {
  /** Every log line but the per-request one; credentials and secrets in it are redacted. */
  readonly logger: Logger;
  /**
   * The one line per request, into the same stream. RequestLog builds its fields from the
   * method, URL, status, time and request id alone, so redaction has nothing to find there and
   * is skipped: it was half the cost of the line on the hottest paths.
   */
  readonly requestLines: Logger;
}

/** Lines are gathered until this many bytes, or until LOG_FLUSH_MS has passed, then written. */
const LOG_BUFFER_BYTES = 4096;
const LOG_FLUSH_MS = 100;

/**
 * JSON lines on standard output, written asynchronously and in batches: under load one write
 * carries dozens of lines, and when idle a line still goes out within 100 ms. The server
 * flushes on close, and a crash loses at most those 100 ms of lines.
 */
export function createLoggers(level: string, destination?: DestinationStream): Loggers {
  const stream =
    destination ??
    pino.destination({
      dest: 1,
      sync: false,
      minLength: LOG_BUFFER_BYTES,
      periodicFlush: LOG_FLUSH_MS,
    });
  const base = { service: "tokenspace" };
  return {
    logger: pino({ level, base, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } }, stream),
    requestLines: pino({ level, base }, stream),
  };
}
