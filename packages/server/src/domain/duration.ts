const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d{1,9})([smhd])?$/;
/**
 * The longest duration accepted: 100 years. Far beyond any use, and far inside what a Date and
 * both stores' time columns can hold once it is added to or taken from now.
 */
const MAX_DURATION_MS = 36_500 * UNIT_MS.d;

/** What a duration is written as, for messages. */
export const DURATION_FORMAT =
  'a whole number of seconds, or a number with a unit: "90s", "30m", "12h", "7d" (at most 100 years)';

/**
 * A length of time as people write it on a command line or in a query: seconds as a number,
 * or a number with s, m, h or d. Undefined when it is neither, or longer than 100 years.
 */
export function parseDuration(value: unknown): number | undefined {
  let ms: number | undefined;
  if (typeof value === "number") {
    ms = Number.isSafeInteger(value) && value >= 0 ? value * 1000 : undefined;
  } else if (typeof value === "string") {
    const match = DURATION.exec(value.trim());
    const unit = (match?.[2] ?? "s") as keyof typeof UNIT_MS;
    ms = match ? Number(match[1]) * UNIT_MS[unit] : undefined;
  }
  return ms !== undefined && ms <= MAX_DURATION_MS ? ms : undefined;
}
