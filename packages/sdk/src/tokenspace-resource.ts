import type { Permission } from "./contract.js";
import type { Transport } from "./transport.js";
import type { RequestParams } from "./types.js";

/** An introspected token: active with its facts, or just inactive. */
export type Introspection =
  | {
      readonly active: true;
      readonly project_id: string;
      readonly token_id: string;
      readonly name: string;
      readonly permissions: Permission[];
    }
  | { readonly active: false };

/**
 * Tokenspace addition, `client.tokenspace`: Tokenspace's own endpoints for services. Not part of
 * SignalWire's SDK, and not served by SignalWire.
 */
export class TokenspaceResource {
  constructor(private readonly transport: Transport) {}

  /**
   * Looks a token up (POST /auth/introspect): active for a token of the client's project or one
   * of its subprojects; any other token is `{ active: false }`. Needs a management token.
   */
  introspect(token: string, options: RequestParams = {}): Promise<Introspection> {
    return this.transport.request("POST", "/auth/introspect", { body: { token }, ...options });
  }
}
