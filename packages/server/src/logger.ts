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

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      base: { service: "tokenspace" },
    },
    destination ?? pino.destination(1),
  );
}
