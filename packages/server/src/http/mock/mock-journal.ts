import type { WireViolation } from "./wire-violations.js";

/** One request as mock mode recorded it, in the shape SignalWire's test harnesses read. */
interface JournalEntry {
  /** Seconds since the epoch, with a fraction. */
  readonly timestamp: number;
  readonly method: string;
  readonly path: string;
  readonly query_params: Record<string, string[]>;
  /** Every header, names in lower case. */
  readonly headers: Record<string, string>;
  /** JSON as parsed, a form as an object (repeated keys as lists), other text as is; or null. */
  readonly body: unknown;
  /** The endpoint id the request matched (`compatibility.create_token`), or null. */
  readonly matched_route: string | null;
  readonly response_status: number | null;
  readonly wire_violations: readonly WireViolation[];
}

/** How many entries the journal keeps; the oldest go first. */
const JOURNAL_CAPACITY = 1000;
/** The largest body an entry keeps, so that a full journal holds 64 MiB of bodies at most. */
const KEPT_BODY_BYTES = 64 * 1024;

/** The requests mock mode saw, oldest first, at most JOURNAL_CAPACITY of them. */
export class MockJournal {
  #entries: JournalEntry[] = [];

  record(entry: JournalEntry): void {
    this.#entries.push(entry);
    if (this.#entries.length > JOURNAL_CAPACITY) this.#entries.shift();
  }

  /** Every entry, or only those of the client whose Authorization header is `session`. */
  entries(session?: string): readonly JournalEntry[] {
    return session === undefined
      ? this.#entries
      : this.#entries.filter((entry) => entry.headers.authorization === session);
  }

  reset(): void {
    this.#entries = [];
  }
}

/**
 * A body as the journal shows it, from the bytes the client sent and their content type; one
 * over KEPT_BODY_BYTES is named by its size only.
 */
export function journalBody(raw: Buffer | undefined, contentType: string | undefined): unknown {
  if (raw === undefined || raw.length === 0) return null;
  if (raw.length > KEPT_BODY_BYTES) return `[a body of ${raw.length} bytes, not kept]`;
  const text = raw.toString("utf8");
  const mediaType = contentType?.split(";")[0]?.trim().toLowerCase();
  if (mediaType === "application/json" || mediaType?.endsWith("+json")) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  if (mediaType === "application/x-www-form-urlencoded") {
    return listsOfRepeated(new URLSearchParams(text));
  }
  return text;
}

/** A query string as the journal shows it: each name with the list of its values. */
export function queryParams(url: string): Record<string, string[]> {
  const query = url.indexOf("?");
  const params: Record<string, string[]> = {};
  if (query === -1) return params;
  for (const [name, value] of new URLSearchParams(url.slice(query + 1))) {
    params[name] = [...(params[name] ?? []), value];
  }
  return params;
}

/** Form fields as an object: a key sent once is its value, a repeated key a list. */
function listsOfRepeated(fields: URLSearchParams): Record<string, string | string[]> {
  const body: Record<string, string | string[]> = {};
  for (const [name, value] of fields) {
    const existing = body[name];
    body[name] =
      existing === undefined
        ? value
        : Array.isArray(existing)
          ? [...existing, value]
          : [existing, value];
  }
  return body;
}
