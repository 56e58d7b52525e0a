import type { FastifyRequest } from "fastify";
import type { Actor } from "../domain/actor.js";
import type { Authenticator } from "../domain/authenticator.js";
import { type Principal, requirePermission } from "../domain/principal.js";
import { AuthenticationError } from "../errors.js";
import { parseBasicCredentials } from "./basic-credentials.js";
import { failedAuthenticationKeys, type RequestBudgets, spend } from "./request-budgets.js";

/** Methods that only read; every other method may change state. */
const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The onRequest hook every surface shares: HTTP Basic credentials, verified, holding the
 * `management` permission every Tokens and Accounts operation needs. It runs before the body
 * is read, so an unauthenticated request is refused whatever it carries. A request that may
 * change state is verified against the store, never the cache: a credential deleted or
 * downgraded on another node cannot write once that change is answered.
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

/**
 * The principal of a request's HTTP Basic credentials. Credentials presented that do not
 * verify spend the failed-authentication budget (per client address and per project id); over
 * it this throws RateLimitedError instead of AuthenticationError. A missing header is no
 * attempt and spends nothing.
 */
export async function authenticateBasic(
  request: FastifyRequest,
  authenticator: Authenticator,
  budgets: RequestBudgets,
  options: { readonly fresh: boolean },
): Promise<Principal> {
  const header = request.headers.authorization;
  let username: string | undefined;
  try {
    const credentials = parseBasicCredentials(header);
    username = credentials.username;
    return await authenticator.authenticate(credentials.username, credentials.password, options);
  } catch (error) {
    const presented = header !== undefined && header.trim() !== "";
    if (presented && error instanceof AuthenticationError) {
      await spend(
        budgets.failedAuthentications,
        failedAuthenticationKeys(request, username),
        request,
      );
    }
    throw error;
  }
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
