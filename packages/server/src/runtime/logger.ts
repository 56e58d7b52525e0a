import pino, { type DestinationStream, type Logger } from "pino";
import { RequestLines } from "./request-lines.js";

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
  /** The one line per request, into the same stream. */
  readonly requestLines: RequestLines;
}

/** Lines are gathered until this many bytes, or until LOG_FLUSH_MS has passed, then written. */
const LOG_BUFFER_BYTES = 32 * 1024;
const LOG_FLUSH_MS = 100;

/**
 * JSON lines on standard output, written asynchronously and in batches: under load one write
 * carries a hundred lines or more, and when idle a line still goes out within 100 ms. The
 * server flushes on close, and a crash loses at most those 100 ms of lines.
 *
 * sonic-boom is given each line as bytes: given strings, it measures its pending batch (a
 * string it appends to) again on every line, flattening it each time, which cost more than
 * rendering the line. Its buffer mode takes Buffers though its types say strings.
 */
function bufferedStandardOutput(): DestinationStream {
  const output = pino.destination({
    dest: 1,
    sync: false,
    minLength: LOG_BUFFER_BYTES,
    maxWrite: 2 * LOG_BUFFER_BYTES,
    periodicFlush: LOG_FLUSH_MS,
    contentMode: "buffer",
  });
  return {
    write: (line: string) => output.write(Buffer.from(line) as unknown as string),
    flush: (done?: (error?: Error) => void) => output.flush(done),
    flushSync: () => output.flushSync(),
  } as DestinationStream;
}

export function createLoggers(level: string, destination?: DestinationStream): Loggers {
  const stream = destination ?? bufferedStandardOutput();
  const base = { service: "tokenspace" };
  return {
    logger: pino({ level, base, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } }, stream),
    requestLines: new RequestLines(stream, level, base),
  };
}
