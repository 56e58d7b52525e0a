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

/**
 * JSON lines on standard output, written asynchronously: lines logged while a write is in
 * flight are gathered into the next one, so under load logging costs far fewer writes than
 * one per line, and when idle a line still goes out at once. The server flushes on close.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      base: { service: "tokenspace" },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
