import { parseDuration } from "./duration.js";

const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

/** An RFC 3339 timestamp with its offset; undefined for anything else. */
export function parseTimestamp(value: unknown): Date | undefined {
  if (typeof value !== "string" || !RFC_3339.test(value)) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time);
}

/** A time given as RFC 3339, or as a duration back from `now`; null when it is neither. */
export function instantOf(value: string, now: Date): Date | null {
  const ago = parseDuration(value);
  if (ago !== undefined) return new Date(now.getTime() - ago);
  return parseTimestamp(value) ?? null;
}
