import type { FastifyRequest } from "fastify";
import type { Actor } from "../domain/actor.js";
import {
  type Authenticator,
  CREDENTIALS_REJECTED,
  isRefusal,
  type Refusal,
} from "../domain/authenticator.js";
import { AuthenticationError, RateLimitedError } from "../domain/errors.js";
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
 * Credentials that do not verify are counted per client address and per project id presented;
 * over the budget the answer is 429 instead of 401. Credentials that verify are never refused
 * by that budget, and a token without `management` is not a failed authentication.
 */
export function requireManagement(authenticator: Authenticator, budgets: RequestBudgets) {
  return async (request: FastifyRequest): Promise<void> => {
    const principal = await authenticateBasic(request, authenticator, budgets, {
      fresh: !READS.has(request.method),
    });
    requirePermission(principal, "management");
    request.principal = principal;
  };
}

/** Why a request's credentials are refused; over the failed-authentication budget, until when. */
interface BasicRefusal {
  readonly message: string;
  readonly retryAfterSeconds?: number;
  /** As forward auth tells it: unauthenticated unless the token's own secret was presented. */
  readonly reason: Refusal["reason"];
  readonly token?: VerifiedToken;
}

/**
 * The principal of a request's HTTP Basic credentials. Credentials presented that do not
 * verify spend the failed-authentication budget (per client address and per project id); over
 * it this throws RateLimitedError instead of AuthenticationError. A missing header is no
 * attempt and spends nothing.
 */
async function authenticateBasic(
  request: FastifyRequest,
  authenticator: Authenticator,
  budgets: RequestBudgets,
  options: { readonly fresh: boolean },
): Promise<Principal> {
  const checked = await checkBasic(request, authenticator, budgets, options);
  if ("principal" in checked) return checked.principal;
  const { message, retryAfterSeconds } = checked.refusal;
  throw retryAfterSeconds === undefined
    ? new AuthenticationError(message)
    : new RateLimitedError(message, retryAfterSeconds);
}

/**
 * As `authenticateBasic`, with a refusal given rather than thrown: forward auth answers
 * thousands a second, and building and unwinding errors was a large part of each.
 */
export async function checkBasic(
  request: FastifyRequest,
  authenticator: Authenticator,
  budgets: RequestBudgets,
  options: { readonly fresh: boolean },
): Promise<{ readonly principal: Principal } | { readonly refusal: BasicRefusal }> {
  const header = request.headers.authorization;
  let credentials: BasicCredentials;
  try {
    credentials = parseBasicCredentials(header);
  } catch (error) {
    if (!(error instanceof AuthenticationError)) throw error;
    const presented = header !== undefined && header.trim() !== "";
    return {
      refusal: presented
        ? await charged(request, budgets, { message: error.message, reason: "unauthenticated" })
        : { message: error.message, reason: "unauthenticated" },
    };
  }
  const checked = await authenticator.check(credentials.username, credentials.password, {
    ...options,
    pace: (lookup) => overBudgetPaced(request, budgets, lookup),
    clientAddress: request.ip,
  });
  if (!isRefusal(checked)) return { principal: checked };
  const refusal = { message: CREDENTIALS_REJECTED, ...checked };
  return { refusal: await charged(request, budgets, refusal, credentials.username) };
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

/** A failed authentication, counted: the refusal it gets, which over the budget says so. */
async function charged(
  request: FastifyRequest,
  budgets: RequestBudgets,
  refusal: BasicRefusal,
  username?: string,
): Promise<BasicRefusal> {
  const keys = failedAuthenticationKeys(request, username);
  const overBudget = await charge(budgets.failedAuthentications, keys, request);
  return overBudget ? { ...refusal, ...overBudget } : refusal;
}

/** Who makes a change, for the audit log: the authenticated token, this request and its client. */
export function actorOf(request: FastifyRequest): Actor {
  const principal = principalOf(request);
  return {
    projectId: principal.projectId,
    tokenId: principal.tokenId,
    requestId: request.id,
    clientAddress: request.ip,
  };
}

/** The principal the hook set; every route behind it has one. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error("route reached without authentication");
  return request.principal;
}
