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
}

export const OPERATOR: Actor = {
  projectId: null,
  tokenId: null,
  requestId: null,
  clientAddress: null,
};
