/**
 * One run's response times, in milliseconds to the microsecond, as autocannon reports each
 * response. Its own latency histogram keeps whole milliseconds: on a host where a GET's p99 is
 * 1 or 2 ms, one rounding moved the ratio of two stores' p99s by half (1.67× from means of
 * 2.0 ms and 1.2 ms).
 */
export class ResponseTimes {
  readonly #times: number[] = [];
  #sorted = true;

  record(milliseconds: number): void {
    const last = this.#times[this.#times.length - 1];
    if (last !== undefined && milliseconds < last) this.#sorted = false;
    this.#times.push(milliseconds);
  }

  /** The time that `percent` of the responses took at most (nearest rank); 0 with none. */
  percentile(percent: number): number {
    if (this.#times.length === 0) return 0;
    if (!this.#sorted) {
      this.#times.sort((a, b) => a - b);
      this.#sorted = true;
    }
    const rank = Math.ceil((percent / 100) * this.#times.length);
    return this.#times[Math.max(rank, 1) - 1] ?? 0;
  }

  /** The longest response time; 0 with none. */
  max(): number {
    return this.percentile(100);
  }
}
