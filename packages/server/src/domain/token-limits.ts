import {
  RATE_LIMIT_MAX,
  RATE_WINDOW_MAX_SECONDS,
  type RateLimit as RateLimitView,
  REFILL_EVERY_MAX_SECONDS,
  REFILL_EVERY_MIN_SECONDS,
  USES_MAX,
  type UsesRefill as UsesRefillView,
} from "@tokenspace/contract";
import { withDigitGroups } from "./digit-groups.js";
import { parseDuration } from "./duration.js";
import { ValidationError } from "./errors.js";
import { invalidParameter, type ValidationProblem } from "./validation-problem.js";

/** At most `limit` allowed verifications in each window of `windowMs`, aligned to the epoch. */
export interface RateLimit {
  readonly limit: number;
  readonly windowMs: number;
}

/** Every `everyMs` from the last refill, the uses left are set back to `amount`. */
export interface UsesRefill {
  readonly amount: number;
  readonly everyMs: number;
}

/** The limits part of a create or update, as a client sends it. */
export interface LimitChanges {
  readonly rateLimit?: { readonly limit?: unknown; readonly window?: unknown } | null;
  readonly usesRemaining?: unknown;
  readonly usesRefill?: { readonly amount?: unknown; readonly every?: unknown } | null;
}

/** The limits part, checked: each field left out stays, null removes it. */
export interface ValidLimitChanges {
  readonly rateLimit?: RateLimit | null;
  readonly usesRemaining?: number | null;
  readonly usesRefill?: UsesRefill | null;
}

const SECOND_MS = 1000;

const UNITS = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
] as const;

export const LIMIT_FIELD_EXPECTATIONS = {
  rate_limit: `null or {"limit": a whole number from 1 to ${withDigitGroups(RATE_LIMIT_MAX)}, "window": a duration from 1s to ${formatDuration(RATE_WINDOW_MAX_SECONDS * SECOND_MS)} ("1s", "30s", "1m", "1h", or seconds as a number)}`,
  uses_remaining: `null (unlimited) or a whole number from 0 to ${withDigitGroups(USES_MAX)}`,
  uses_refill: `null or {"amount": a whole number from 1 to ${withDigitGroups(USES_MAX)}, "every": a duration from ${formatDuration(REFILL_EVERY_MIN_SECONDS * SECOND_MS)} to ${formatDuration(REFILL_EVERY_MAX_SECONDS * SECOND_MS)} ("1h", "1d", "30d", or seconds as a number)}`,
} as const;

function wholeNumber(value: unknown, min: number, max: number): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max
    ? value
    : undefined;
}

/** A duration in whole seconds within [min, max] seconds, in milliseconds. */
function wholeSeconds(value: unknown, minSeconds: number, maxSeconds: number): number | undefined {
  const ms = parseDuration(value);
  return ms !== undefined && ms >= minSeconds * SECOND_MS && ms <= maxSeconds * SECOND_MS
    ? ms
    : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks the limit fields of a create or update; every problem is reported at once. */
export function validateLimitChanges(changes: LimitChanges): ValidLimitChanges {
  const problems: ValidationProblem[] = [];
  const valid: {
    rateLimit?: RateLimit | null;
    usesRemaining?: number | null;
    usesRefill?: UsesRefill | null;
  } = {};
  const { rateLimit, usesRemaining, usesRefill } = changes;
  if (rateLimit === null) valid.rateLimit = null;
  else if (rateLimit !== undefined) {
    const limit = isObject(rateLimit) ? wholeNumber(rateLimit.limit, 1, RATE_LIMIT_MAX) : undefined;
    const windowMs = isObject(rateLimit)
      ? wholeSeconds(rateLimit.window, 1, RATE_WINDOW_MAX_SECONDS)
      : undefined;
    if (limit === undefined || windowMs === undefined) {
      problems.push(invalidParameter("rate_limit", LIMIT_FIELD_EXPECTATIONS.rate_limit));
    } else valid.rateLimit = { limit, windowMs };
  }
  if (usesRemaining === null) valid.usesRemaining = null;
  else if (usesRemaining !== undefined) {
    const uses = wholeNumber(usesRemaining, 0, USES_MAX);
    if (uses === undefined) {
      problems.push(invalidParameter("uses_remaining", LIMIT_FIELD_EXPECTATIONS.uses_remaining));
    } else valid.usesRemaining = uses;
  }
  if (usesRefill === null) valid.usesRefill = null;
  else if (usesRefill !== undefined) {
    const amount = isObject(usesRefill) ? wholeNumber(usesRefill.amount, 1, USES_MAX) : undefined;
    const everyMs = isObject(usesRefill)
      ? wholeSeconds(usesRefill.every, REFILL_EVERY_MIN_SECONDS, REFILL_EVERY_MAX_SECONDS)
      : undefined;
    if (amount === undefined || everyMs === undefined) {
      problems.push(invalidParameter("uses_refill", LIMIT_FIELD_EXPECTATIONS.uses_refill));
    } else valid.usesRefill = { amount, everyMs };
  }
  if (valid.usesRefill && valid.usesRemaining === null) {
    problems.push({
      code: "invalid_parameter",
      attribute: "uses_refill",
      message:
        "uses_refill refills uses_remaining, which this request sets to null (unlimited). Give uses_remaining a number, or set uses_refill to null too.",
    });
  }
  const [first, ...rest] = problems;
  if (first) throw new ValidationError([first, ...rest]);
  return valid;
}

/** The names of the limit fields a change gives, as the audit log records them. */
export function limitFieldNames(changes: ValidLimitChanges): string[] {
  return [
    ...(changes.rateLimit !== undefined ? ["rate_limit"] : []),
    ...(changes.usesRemaining !== undefined ? ["uses_remaining"] : []),
    ...(changes.usesRefill !== undefined ? ["uses_refill"] : []),
  ];
}

/** A whole number of seconds in the largest unit that divides it: "90s", "5m", "1h", "30d". */
function formatDuration(ms: number): string {
  for (const [unit, size] of UNITS) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${Math.round(ms / SECOND_MS)}s`;
}

export function rateLimitView(rateLimit: RateLimit | null): RateLimitView | null {
  return rateLimit && { limit: rateLimit.limit, window: formatDuration(rateLimit.windowMs) };
}

export function usesRefillView(refill: UsesRefill | null): UsesRefillView | null {
  return refill && { amount: refill.amount, every: formatDuration(refill.everyMs) };
}

/**
 * The uses a token has at `now`: what is stored, or the refill's amount once a refill has come
 * due since the last one (the stores apply the same rule when they hand out uses).
 */
export function usesAt(
  token: {
    readonly usesRemaining: number | null;
    readonly usesRefill: UsesRefill | null;
    readonly usesRefilledAt: Date | null;
  },
  now: Date,
): number | null {
  const { usesRemaining, usesRefill, usesRefilledAt } = token;
  if (usesRemaining === null || !usesRefill || !usesRefilledAt) return usesRemaining;
  return now.getTime() - usesRefilledAt.getTime() >= usesRefill.everyMs
    ? usesRefill.amount
    : usesRemaining;
}
