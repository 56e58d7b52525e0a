import {
  USAGE_GRANULARITIES,
  USAGE_MAX_BUCKETS,
  type Usage,
  type UsageBucket,
  type UsageGranularity,
} from "@tokenspace/contract";
import type { Clock } from "./clock.js";
import { withDigitGroups } from "./digit-groups.js";
import { DURATION_FORMAT } from "./duration.js";
import { ValidationError } from "./errors.js";
import { normalizeId } from "./identifiers.js";
import type { Store, UsageScope } from "./store.js";
import { instantOf } from "./timestamp.js";
import { HOUR_MS, MINUTE_MS } from "./usage-recorder.js";
import {
  invalidParameter,
  invalidProjectIdFilter,
  type ValidationProblem,
} from "./validation-problem.js";

const DAY_MS = 86_400_000;
const BUCKET_MS: Readonly<Record<UsageGranularity, number>> = {
  minute: MINUTE_MS,
  hour: HOUR_MS,
  day: DAY_MS,
};
/** Days are summed from hours: the stores keep minutes and hours. */
const STORED_SPAN_MS: Readonly<Record<UsageGranularity, number>> = {
  minute: MINUTE_MS,
  hour: HOUR_MS,
  day: HOUR_MS,
};

const DEFAULT_SINCE = "7d";
const DEFAULT_GRANULARITY: UsageGranularity = "hour";

/** A usage read as a client asks for it. */
export interface UsageQuery {
  /** An RFC 3339 time, or how long ago: "7d", "24h". */
  readonly since?: string;
  readonly granularity?: string;
  /** Project totals only: one project of the family. */
  readonly projectId?: string;
}

function isGranularity(value: string): value is UsageGranularity {
  return (USAGE_GRANULARITIES as readonly string[]).includes(value);
}

/** Verification counts read back in buckets: a token's, or a project family's. */
export class UsageReports {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** A token's verifications (the caller has checked the token is theirs to see). */
  ofToken(tokenId: string, query: UsageQuery): Promise<Usage> {
    return this.#report({ tokenId: normalizeId(tokenId) }, query);
  }

  /** The verifications of every token of a project and its subprojects, or one project of them. */
  ofProjects(projectId: string, query: UsageQuery): Promise<Usage> {
    const problem = invalidProjectIdFilter(query.projectId);
    if (problem) throw new ValidationError([problem]);
    return this.#report(
      {
        projectId,
        ...(query.projectId !== undefined && { onlyProjectId: normalizeId(query.projectId) }),
      },
      query,
    );
  }

  async #report(scope: UsageScope, query: UsageQuery): Promise<Usage> {
    const now = this.clock.now().getTime();
    const { granularity, start } = this.#period(query, now);
    const bucketMs = BUCKET_MS[granularity];
    const spanMs = STORED_SPAN_MS[granularity];
    const count = Math.floor((now - start) / bucketMs) + 1;
    const rows = await this.store.readUsage(
      scope,
      spanMs,
      new Date(start),
      count * (bucketMs / spanMs),
    );
    const buckets: UsageBucket[] = [];
    const byStart = new Map<number, { allowed: number; refused: number }>();
    for (let index = 0; index < count; index++) {
      byStart.set(start + index * bucketMs, { allowed: 0, refused: 0 });
    }
    let allowed = 0;
    let refused = 0;
    for (const row of rows) {
      const time = row.start.getTime();
      const bucket = byStart.get(time - (time % bucketMs));
      if (!bucket) continue;
      bucket.allowed += row.allowed;
      bucket.refused += row.refused;
      allowed += row.allowed;
      refused += row.refused;
    }
    for (const [time, counts] of byStart) {
      buckets.push({ start: new Date(time).toISOString(), ...counts });
    }
    return {
      since: new Date(start).toISOString(),
      granularity,
      allowed,
      refused,
      buckets,
    };
  }

  /** The granularity, and the first bucket's start: `since` rounded down to a bucket. */
  #period(query: UsageQuery, now: number): { granularity: UsageGranularity; start: number } {
    const asked = query.granularity ?? DEFAULT_GRANULARITY;
    const granularity = isGranularity(asked) ? asked : undefined;
    const since = instantOf(query.since ?? DEFAULT_SINCE, this.clock.now());
    if (!granularity || since === null || since.getTime() > now) {
      const problems = [
        ...(granularity
          ? []
          : [invalidParameter("granularity", `one of: ${USAGE_GRANULARITIES.join(", ")}`)]),
        ...(since === null || since.getTime() > now
          ? [
              invalidParameter(
                "since",
                `an RFC 3339 time in the past, or ${DURATION_FORMAT} (back from now)`,
              ),
            ]
          : []),
      ] as [ValidationProblem, ...ValidationProblem[]];
      throw new ValidationError(problems);
    }
    const bucketMs = BUCKET_MS[granularity];
    const start = since.getTime() - (since.getTime() % bucketMs);
    const count = Math.floor((now - start) / bucketMs) + 1;
    if (count > USAGE_MAX_BUCKETS) {
      const coarser = USAGE_GRANULARITIES[USAGE_GRANULARITIES.indexOf(granularity) + 1];
      throw new ValidationError([
        invalidParameter(
          "since",
          `at most ${withDigitGroups(USAGE_MAX_BUCKETS)} ${granularity}s back (this asks for ${withDigitGroups(count)})${coarser ? `: ask for a shorter period, or granularity=${coarser}` : ""}`,
        ),
      ]);
    }
    return { granularity, start };
  }
}
