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
 * The lines of one turn of the event loop reach sonic-boom together, as one Buffer: handed a
 * Buffer per line, making each one cost about as much as rendering the line; handed strings,
 * sonic-boom measures its pending batch (a string it appends to) again on every line,
 * flattening it each time. Every line, pino's and the request log's, passes through here, so
 * they stay in order. Its buffer mode takes Buffers though its types say strings.
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
  let turn: string[] = [];
  let handOverScheduled = false;
  const handOver = () => {
    handOverScheduled = false;
    if (turn.length === 0) return;
    const lines = Buffer.from(turn.join(""));
    turn = [];
    output.write(lines as unknown as string);
  };
  return {
    write: (line: string) => {
      turn.push(line);
      if (!handOverScheduled) {
        handOverScheduled = true;
        setImmediate(handOver);
      }
    },
    flush: (done?: (error?: Error) => void) => {
      handOver();
      output.flush(done);
    },
    flushSync: () => {
      handOver();
      output.flushSync();
    },
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
