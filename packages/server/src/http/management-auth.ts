import type { FastifyRequest } from "fastify";
import type { Authenticator } from "../domain/authenticator.js";
import { type Principal, requirePermission } from "../domain/principal.js";
import { parseBasicCredentials } from "./basic-credentials.js";

/** Methods that only read; every other method may change state. */
const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The onRequest hook every surface shares: HTTP Basic credentials, verified, holding the
 * `management` permission every Tokens and Accounts operation needs. It runs before the body
 * is read, so an unauthenticated request is refused whatever it carries. A request that may
 * change state is verified against the store, never the cache: a credential deleted or
 * downgraded on another node cannot write once that change is answered.
 */
export function requireManagement(authenticator: Authenticator) {
  return async (request: FastifyRequest): Promise<void> => {
    const credentials = parseBasicCredentials(request.headers.authorization);
    const principal = await authenticator.authenticate(credentials.username, credentials.password, {
      fresh: !READS.has(request.method),
    });
    requirePermission(principal, "management");
    request.principal = principal;
  };
}

/** The principal the hook set; every route behind it has one. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error("route reached without authentication");
  return request.principal;
}
