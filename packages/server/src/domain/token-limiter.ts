import { type MaybeAsync, whenReady } from "./maybe-async.js";
import type { Principal } from "./principal.js";
import type { RateDecision, RateLimiter } from "./rate-limiter.js";
import type { UsesDecision, UsesLedger } from "./uses-ledger.js";

/** What a token's limits say of one verification. */
export type LimitVerdict =
  | {
      readonly allowed: true;
      /** Where the rate stands, for a token with a rate limit. */
      readonly rate?: RateDecision;
      /** Uses left, for a token with limited uses. */
      readonly usesRemaining?: number;
    }
  | {
      readonly allowed: false;
      readonly reason: "rate_limited" | "usage_exceeded";
      readonly rate?: RateDecision;
    };

const UNLIMITED: LimitVerdict = { allowed: true };

/**
 * A token's rate limit, then its uses: a verification over the rate spends no use. Answers at
 * once (no promise) when nothing needs the store or the shared counts, as for every token
 * without limits.
 */
export class TokenLimiter {
  constructor(
    private readonly rates: RateLimiter,
    private readonly uses: UsesLedger,
  ) {}

  admit(principal: Principal, now: Date): MaybeAsync<LimitVerdict> {
    if (principal.rateLimit === null && !principal.usesLimited) return UNLIMITED;
    const rate = principal.rateLimit
      ? this.rates.take(principal.tokenId, principal.rateLimit, now.getTime())
      : undefined;
    return whenReady(rate, (decided) => this.#spendUse(principal, decided, now));
  }

  #spendUse(
    principal: Principal,
    rate: RateDecision | undefined,
    now: Date,
  ): MaybeAsync<LimitVerdict> {
    if (rate && !rate.allowed) return { allowed: false, reason: "rate_limited", rate };
    if (!principal.usesLimited) return rate ? { allowed: true, rate } : UNLIMITED;
    const uses = this.uses.take(principal.tokenId, principal.version, now);
    return whenReady(uses, (spent) => usesVerdict(rate, spent));
  }
}

function usesVerdict(rate: RateDecision | undefined, uses: UsesDecision): LimitVerdict {
  if (!uses.allowed) {
    return { allowed: false, reason: "usage_exceeded", ...(rate && { rate }) };
  }
  return { allowed: true, usesRemaining: uses.remaining, ...(rate && { rate }) };
}
