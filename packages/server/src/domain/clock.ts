/**
 * Where the domain reads the time. Expiry, overlaps, last-used and retention all ask it, so a
 * test can stand at any instant (one millisecond before an expiry, then at it) without sleeping.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
