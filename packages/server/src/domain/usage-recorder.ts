import type { Store, TokenUse, UsageCount } from "./store.js";

/** The most rows one statement writes. */
const ROWS_PER_WRITE = 1000;

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** The spans usage is kept in: minutes for fine reads, hours for long ones. */
const SPANS = [MINUTE_MS, HOUR_MS] as const;

/** One token's verifications in one minute, counted in memory until the next flush. */
interface MinuteCount {
  readonly tokenId: string;
  readonly projectId: string;
  readonly start: number;
  allowed: number;
  refused: number;
}

/** The token a verification was for. */
export interface VerifiedToken {
  readonly tokenId: string;
  readonly projectId: string;
}

/**
 * What authentications leave behind, recorded without a write per request: each one notes in
 * memory the token's last use (time and address) and, for verifications, a count of allowed or
 * refused in the current minute; once a second all of it is written in a few batched
 * statements. A crash loses at most the last second's notes; a token's last use never moves
 * back, whichever node writes last; counts from every node add up.
 */
export class UsageRecorder {
  #uses = new Map<string, TokenUse>();
  /** The current minute's count of each token verified in it. */
  #counts = new Map<string, MinuteCount>();
  /** Counts of minutes that ended since the last flush. */
  #ended: MinuteCount[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly onError: (error: unknown) => void,
  ) {}

  record(tokenId: string, at: Date, ip: string | null): void {
    this.#uses.set(tokenId, { tokenId, at, ip });
  }

  /** Counts one verification of a token, allowed or refused, at `at` (epoch milliseconds). */
  count(token: VerifiedToken, allowed: boolean, at: number): void {
    const start = at - (at % MINUTE_MS);
    let counted = this.#counts.get(token.tokenId);
    if (counted?.start !== start) {
      if (counted) this.#ended.push(counted);
      counted = {
        tokenId: token.tokenId,
        projectId: token.projectId,
        start,
        allowed: 0,
        refused: 0,
      };
      this.#counts.set(token.tokenId, counted);
    }
    if (allowed) counted.allowed++;
    else counted.refused++;
  }

  start(intervalMs: number): void {
    this.#timer = setInterval(() => void this.flush(), intervalMs);
    this.#timer.unref();
  }

  /** Writes what was noted so far; one flush at a time. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }

  async #write(): Promise<void> {
    const uses = [...this.#uses.values()];
    const counts = usageRows([...this.#ended, ...this.#counts.values()]);
    this.#uses = new Map();
    this.#counts = new Map();
    this.#ended = [];
    await this.#inBatches(uses, (batch) => this.store.recordTokenUses(batch));
    await this.#inBatches(counts, (batch) => this.store.addUsage(batch));
  }

  async #inBatches<T>(rows: T[], write: (batch: T[]) => Promise<void>): Promise<void> {
    for (let start = 0; start < rows.length; start += ROWS_PER_WRITE) {
      try {
        await write(rows.slice(start, start + ROWS_PER_WRITE));
      } catch (error) {
        this.onError(error);
      }
    }
  }
}

/** Each minute's counts as rows of the token and of its project, per minute and per hour. */
function usageRows(minutes: readonly MinuteCount[]): UsageCount[] {
  const rows = new Map<string, { -readonly [K in keyof UsageCount]: UsageCount[K] }>();
  for (const minute of minutes) {
    for (const subjectId of [minute.tokenId, minute.projectId]) {
      for (const spanMs of SPANS) {
        const start = minute.start - (minute.start % spanMs);
        const key = `${subjectId} ${spanMs} ${start}`;
        const row = rows.get(key);
        if (row) {
          row.allowed += minute.allowed;
          row.refused += minute.refused;
        } else {
          rows.set(key, {
            subjectId,
            spanMs,
            start: new Date(start),
            allowed: minute.allowed,
            refused: minute.refused,
          });
        }
      }
    }
  }
  return [...rows.values()];
}
