const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d{1,9})([smhd])?$/;

/** What a duration is written as, for messages. */
export const DURATION_FORMAT =
  'a whole number of seconds, or a number with a unit: "90s", "30m", "12h", "7d"';

/**
 * A length of time as people write it on a command line or in a query: seconds as a number,
 * or a number with s, m, h or d. Undefined when it is neither.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && value >= 0 ? value * 1000 : undefined;
  }
  if (typeof value !== "string") return undefined;
  const match = DURATION.exec(value.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? "s") as keyof typeof UNIT_MS;
  return Number(match[1]) * UNIT_MS[unit];
}
