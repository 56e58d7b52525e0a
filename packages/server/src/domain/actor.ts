import type { Principal } from "./principal.js";

/**
 * Who makes a change, as the audit log records it: the token that authenticated the request
 * (with its project), the request id and the client address. Changes made by the operator's
 * CLI straight on the store have no token and no request.
 */
export interface Actor {
  readonly projectId: string | null;
  readonly tokenId: string | null;
  readonly requestId: string | null;
  readonly clientAddress: string | null;
  /**
   * Set when the token's credential was verified from a node's cache alone, on a store other
   * nodes change too: the token's version (`updatedAt`) as verified. A store write for this
   * actor confirms it in the write itself (the token still there, enabled and at this version),
   * or writes nothing and throws ActorChangedError. Audit entries do not record it.
   */
  readonly unconfirmedTokenVersion?: Date;
}

export const OPERATOR: Actor = {
  projectId: null,
  tokenId: null,
  requestId: null,
  clientAddress: null,
};

/** The actor of a request made with a principal's credentials, from `clientAddress`. */
export function principalActor(
  principal: Principal,
  requestId: string,
  clientAddress: string | null,
): Actor {
  return {
    projectId: principal.projectId,
    tokenId: principal.tokenId,
    requestId,
    clientAddress,
    unconfirmedTokenVersion: principal.unconfirmed ? new Date(principal.version) : undefined,
  };
}
