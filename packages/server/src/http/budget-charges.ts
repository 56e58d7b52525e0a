import type { FastifyRequest } from "fastify";
import type { Counters } from "../domain/counters.js";
import { RateLimitedError } from "../domain/errors.js";
import { isUuid, normalizeId } from "../domain/identifiers.js";
import type { MaybeAsync } from "../domain/maybe-async.js";
import { type BudgetRefusal, RequestBudget } from "../domain/request-budget.js";
import { LookupPacer } from "./lookup-pacer.js";

/** The budgets the API surfaces spend; each is absent when its limit is 0 (off). */
export interface RequestBudgets {
  /** Failed authentications a minute, per client address and per project id presented. */
  readonly failedAuthentications: RequestBudget | undefined;
  /** Authenticated requests a minute, per project. */
  readonly projectRequests: RequestBudget | undefined;
  /** The store lookups of credentials presented from over the failed-authentication budget. */
  readonly lookups: LookupPacer;
}

export function requestBudgets(
  counters: Counters,
  limits: { readonly authFailuresPerMinute: number; readonly rateLimitPerMinute: number },
): RequestBudgets {
  return {
    failedAuthentications:
      limits.authFailuresPerMinute > 0
        ? new RequestBudget(counters, limits.authFailuresPerMinute, (key) =>
            key.startsWith("auth-failures:address:")
              ? "failed authentications from this address"
              : "failed authentications for this project",
          )
        : undefined,
    projectRequests:
      limits.rateLimitPerMinute > 0
        ? new RequestBudget(counters, limits.rateLimitPerMinute, () => "requests for this project")
        : undefined,
    lookups: new LookupPacer(),
  };
}

/** The failed-authentication budget's key for the request's client address. */
export function addressKey(request: FastifyRequest): string {
  return `auth-failures:address:${request.ip}`;
}

/**
 * What a failed authentication is counted under: the client address, and the project id
 * presented when it is one (varying garbage usernames cannot dodge the address count).
 */
export function failedAuthenticationKeys(
  request: FastifyRequest,
  username: string | undefined,
): string[] {
  const keys = [addressKey(request)];
  if (username !== undefined && isUuid(username)) {
    keys.push(`auth-failures:project:${normalizeId(username)}`);
  }
  return keys;
}

/**
 * Spends a budget for a request; over it, the refusal (at once when the budget knows without
 * its counters). When the counters cannot be reached the request goes on (logged): a lost
 * counter must not turn every answer into an error.
 */
export function charge(
  budget: RequestBudget | undefined,
  keys: readonly string[],
  request: FastifyRequest,
): MaybeAsync<BudgetRefusal | undefined> {
  if (!budget) return undefined;
  const charged = budget.charge(keys);
  if (!(charged instanceof Promise)) return charged;
  return charged.catch((error: unknown) => {
    request.log.warn({ err: error }, "request counters unavailable; not counted");
    return undefined;
  });
}

/** Spends a budget for a request; over it, throws RateLimitedError. */
export async function spend(
  budget: RequestBudget | undefined,
  keys: readonly string[],
  request: FastifyRequest,
): Promise<void> {
  const refusal = await charge(budget, keys, request);
  if (refusal) throw new RateLimitedError(refusal.message, refusal.retryAfterSeconds);
}
