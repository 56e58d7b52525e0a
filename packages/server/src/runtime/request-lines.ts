import pino, { type DestinationStream } from "pino";

/** What the one line per request says, besides pino's level, time and base fields. */
export interface RequestLine {
  readonly reqId: string;
  readonly method: string;
  readonly url: string;
  readonly statusCode: number;
  readonly responseTimeMs: number;
}

type RequestLineLevel = "info" | "debug";

/**
 * The one line per request, written into the logger's stream in pino's format (`level`, `time`,
 * the base fields, the line's own fields, `msg`: a test holds the two alike) but rendered here:
 * pino's general path (serializers, hooks, a check of every key and every string) was most of
 * the line's cost, on every request. The fields are fixed and hold no credential, so nothing
 * needs redacting.
 */
export class RequestLines {
  readonly #threshold: number;
  /** `,"service":"tokenspace"`: the base fields, rendered once. */
  readonly #base: string;

  constructor(
    private readonly stream: DestinationStream,
    level: string,
    base: Readonly<Record<string, string>>,
  ) {
    this.#threshold = pino.levels.values[level] ?? Number.POSITIVE_INFINITY;
    const rendered = JSON.stringify(base);
    this.#base = rendered === "{}" ? "" : `,${rendered.slice(1, -1)}`;
  }

  /** Whether lines of `level` are written at the configured level. */
  writes(level: RequestLineLevel): boolean {
    return (pino.levels.values[level] ?? 0) >= this.#threshold;
  }

  write(level: RequestLineLevel, line: RequestLine, message: string): void {
    if (!this.writes(level)) return;
    const value = pino.levels.values[level];
    this.stream.write(
      `{"level":${value},"time":${Date.now()}${this.#base},"reqId":${jsonText(line.reqId)},"method":${jsonText(line.method)},"url":${jsonText(line.url)},"statusCode":${line.statusCode},"responseTimeMs":${line.responseTimeMs},"msg":${jsonText(message)}}\n`,
    );
  }
}

/** What JSON.stringify escapes in a string: quotes, backslashes, control characters, surrogates. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * `text` as a JSON string, as JSON.stringify writes it. Request ids, methods, messages and
 * nearly every path need no escape, and a test for one cost a line a third of what
 * JSON.stringify did (four of them were 40 % of the line).
 */
function jsonText(text: string): string {
  return ESCAPED.test(text) ? JSON.stringify(text) : `"${text}"`;
}
