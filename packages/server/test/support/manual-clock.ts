import type { Clock } from "../../src/domain/clock.js";

/** A clock that stands where a test puts it: expiry boundaries without sleeping. */
export class ManualClock implements Clock {
  #now: number;

  constructor(start = Date.parse("2027-03-01T12:00:00.000Z")) {
    this.#now = start;
  }

  now(): Date {
    return new Date(this.#now);
  }

  set(time: Date | number): void {
    this.#now = typeof time === "number" ? time : time.getTime();
  }

  advance(ms: number): void {
    this.#now += ms;
  }
}
