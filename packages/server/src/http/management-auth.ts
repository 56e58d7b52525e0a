import type { IncomingMessage } from "node:http";
import type { FastifyRequest } from "fastify";
import { type Actor, principalActor } from "../domain/actor.js";
import {
  type Authenticator,
  type Checked,
  CREDENTIALS_REJECTED,
  isRefusal,
  type Refusal,
} from "../domain/authenticator.js";
import {
  ActorChangedError,
  AuthenticationError,
  NotFoundError,
  RateLimitedError,
} from "../domain/errors.js";
import { type MaybeAsync, whenReady } from "../domain/maybe-async.js";
import { type Principal, requirePermission } from "../domain/principal.js";
import type { VerifiedToken } from "../domain/usage-recorder.js";
import { type BasicCredentials, parseBasicCredentials } from "./basic-credentials.js";
import {
  addressKey,
  charge,
  failedAuthenticationKeys,
  type RequestBudgets,
} from "./budget-charges.js";

/** Methods that only read; every other method may change state. */
const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The onRequest hook every surface shares: HTTP Basic credentials, verified, holding the
 * `management` permission every Tokens and Accounts operation needs. It runs before the body
 * is read, so an unauthenticated request is refused whatever it carries. A request that may
 * change state is verified against the store, or against a cache known to hold every change
 * (see `Authenticator.verify`): a credential deleted or downgraded on another node cannot
 * write once that change is answered.
 *
 * A request whose credentials were accepted before the framework took it (TokenFastPath, which
 * then left it to the framework) is admitted with that principal, `earlyPrincipal`'s.
 *
 * Credentials that do not verify are counted per client address and per project id presented;
 * over the budget the answer is 429 instead of 401. Credentials that verify are never refused
 * by that budget, and a token without `management` is not a failed authentication.
 */
export function requireManagement(
  authenticator: Authenticator,
  budgets: RequestBudgets,
  earlyPrincipal?: (request: IncomingMessage) => Principal | undefined,
) {
  return (request: FastifyRequest, _reply: unknown, done: (error?: Error) => void): void => {
    const admit = (checked: BasicCheck) => {
      try {
        const principal = principalOrThrow(checked);
        requirePermission(principal, "management");
        request.principal = principal;
      } catch (error) {
        return done(error as Error);
      }
      done();
    };
    // Credentials accepted before the framework took the request are not checked again: one
    // check is the request's cost, and one cache lookup what the metrics count for it.
    const early = earlyPrincipal?.(request.raw);
    const checked = early
      ? { principal: early }
      : checkBasic(request, authenticator, budgets, freshness(request));
    if (checked instanceof Promise) checked.then(admit, done);
    else admit(checked);
  };
}

/**
 * How current a request's credential check must be (see `Authenticator.check`): `cached` for
 * reads; `fresh` for writes; `confirmed-by-write` for the writes of routes that say so
 * (`writeConfirmsCredential`), which make their write with `confirmedWrite`.
 */
type Freshness = "cached" | "fresh" | "confirmed-by-write";

function freshness(request: FastifyRequest): Freshness {
  if (READS.has(request.method)) return "cached";
  return request.routeOptions.config.writeConfirmsCredential ? "confirmed-by-write" : "fresh";
}

/**
 * Makes a route's write (`write` reads the principal the hook set, as `actorOf`): with a
 * credential the cache alone verified, the store confirms the token in the write itself. If the
 * token changed since it was cached (ActorChangedError: nothing was written), the credential is
 * checked against the store and, if it still holds with `management`, the write is made again
 * for the token as it is now; otherwise the request is refused as the hook would have. A write
 * that found nothing to change is checked alike (see mayBeForTheCredential).
 */
export function confirmedWrite(authenticator: Authenticator, budgets: RequestBudgets) {
  return async <T>(request: FastifyRequest, write: () => MaybeAsync<T>): Promise<T> => {
    try {
      return await write();
    } catch (error) {
      if (!mayBeForTheCredential(error, request)) throw error;
      const principal = principalOrThrow(
        await checkBasic(request, authenticator, budgets, "fresh"),
      );
      requirePermission(principal, "management");
      request.principal = principal;
      return write();
    }
  };
}

/**
 * Whether a write's failure may be its unconfirmed credential's doing: the store refused it for
 * its actor, or it found nothing to change. A route may read before it writes (the extension
 * surface finds the token's owning project first), and a credential revoked a moment ago must
 * not learn which tokens exist: a 404 for an unconfirmed credential is given only once the
 * store confirmed it.
 */
function mayBeForTheCredential(error: unknown, request: FastifyRequest): boolean {
  if (error instanceof ActorChangedError) return true;
  return error instanceof NotFoundError && request.principal?.unconfirmed === true;
}

/**
 * A route whose write confirms the credential it was made with in the store itself, so that
 * its credential check need not ask the store first (see confirmedWrite).
 */
export function confirmsCredential<Route extends { readonly config: object }>(route: Route): Route {
  return { ...route, config: { ...route.config, writeConfirmsCredential: true } };
}

/** Why a request's credentials are refused; over the failed-authentication budget, until when. */
export interface BasicRefusal {
  readonly message: string;
  readonly retryAfterSeconds?: number;
  /** As forward auth tells it: unauthenticated unless the token's own secret was presented. */
  readonly reason: Refusal["reason"];
  readonly token?: VerifiedToken;
}

/**
 * A refusal, always built with its four fields in this order: forward auth refuses thousands a
 * second, and a refusal spread into a new object with a field overwritten took V8's slow path
 * on every request, then missed the inline caches of everything reading it.
 */
function basicRefusal(
  reason: Refusal["reason"],
  message: string,
  token?: VerifiedToken,
  retryAfterSeconds?: number,
): BasicRefusal {
  return { message, retryAfterSeconds, reason, token };
}

/** What checking a request's HTTP Basic credentials gives. */
type BasicCheck = { readonly principal: Principal } | { readonly refusal: BasicRefusal };

/**
 * The principal of a check, or the error its refusal is answered with: over the
 * failed-authentication budget RateLimitedError instead of AuthenticationError.
 */
function principalOrThrow(checked: BasicCheck): Principal {
  if ("principal" in checked) return checked.principal;
  const { message, retryAfterSeconds } = checked.refusal;
  throw retryAfterSeconds === undefined
    ? new AuthenticationError(message)
    : new RateLimitedError(message, retryAfterSeconds);
}

/**
 * The principal of a request's HTTP Basic credentials, or why they are refused (given rather
 * than thrown: forward auth refuses thousands a second). Credentials presented that do not
 * verify spend the failed-authentication budget, per client address and per project id; a
 * missing header is no attempt and spends nothing. `freshness` says whether the store is asked
 * rather than the cache. Credentials the cache knows are answered at once, without a promise.
 */
export function checkBasic(
  request: FastifyRequest,
  authenticator: Authenticator,
  budgets: RequestBudgets,
  freshness: Freshness,
): MaybeAsync<BasicCheck> {
  const header = request.headers.authorization;
  let credentials: BasicCredentials;
  try {
    credentials = parseBasicCredentials(header);
  } catch (error) {
    if (!(error instanceof AuthenticationError)) throw error;
    const refusal = basicRefusal("unauthenticated", error.message);
    const presented = header !== undefined && header.trim() !== "";
    return presented ? refused(request, budgets, refusal) : { refusal };
  }
  const checked = authenticator.check(credentials.username, credentials.password, {
    fresh: freshness !== "cached",
    confirmedByWrite: freshness === "confirmed-by-write",
    pace: (lookup) => overBudgetPaced(request, budgets, lookup),
    clientAddress: request.ip,
  });
  return whenReady(checked, (settled) =>
    basicCheck(request, budgets, settled, credentials.username),
  );
}

function basicCheck(
  request: FastifyRequest,
  budgets: RequestBudgets,
  checked: Checked,
  username: string,
): MaybeAsync<BasicCheck> {
  if (!isRefusal(checked)) return { principal: checked };
  const refusal = basicRefusal(checked.reason, CREDENTIALS_REJECTED, checked.token);
  return refused(request, budgets, refusal, username);
}

/**
 * The store lookup of a credential the cache does not know: at once, or from an address over
 * its failed-authentication budget still made before the credential is refused, but paced (see
 * LookupPacer): 20 lookups a second per address. Only a cache miss comes here.
 */
function overBudgetPaced<T>(
  request: FastifyRequest,
  budgets: RequestBudgets,
  lookup: () => Promise<T>,
): Promise<T | undefined> {
  const address = addressKey(request);
  if (!budgets.failedAuthentications?.exhausted([address])) return lookup();
  return budgets.lookups.run(address, lookup);
}

/**
 * A failed authentication, counted: the refusal it gets, which over the budget says so. The
 * request is marked (`failedAuthentication`) for its log line and the metrics: refusals from
 * over the budget are a flood's, logged at debug; the one that crosses the budget is logged at
 * warn, so the log tells when guessing started without growing with it.
 */
function refused(
  request: FastifyRequest,
  budgets: RequestBudgets,
  refusal: BasicRefusal,
  username?: string,
): MaybeAsync<BasicCheck> {
  const keys = failedAuthenticationKeys(request, username);
  return whenReady(charge(budgets.failedAuthentications, keys, request), (overBudget) => {
    request.failedAuthentication = overBudget ? "over" : "within";
    if (!overBudget) return { refusal };
    if (overBudget.crossed) {
      request.log.warn(
        { clientAddress: request.ip, retryAfterSeconds: overBudget.retryAfterSeconds },
        `Too many ${overBudget.counted}: refused until the budget renews; those refusals are logged at debug`,
      );
    }
    const { message, retryAfterSeconds } = overBudget;
    return { refusal: basicRefusal(refusal.reason, message, refusal.token, retryAfterSeconds) };
  });
}

/** Who makes a change, for the audit log: the authenticated token, this request and its client. */
export function actorOf(request: FastifyRequest): Actor {
  return principalActor(principalOf(request), request.id, request.ip);
}

/** The principal the hook set; every route behind it has one. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error("route reached without authentication");
  return request.principal;
}
