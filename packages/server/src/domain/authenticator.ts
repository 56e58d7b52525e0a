import { AuthenticationError } from "../errors.js";
import type { CredentialCache } from "./credential-cache.js";
import { normalizeId } from "./identifiers.js";
import type { Keyring } from "./keyring.js";
import type { Principal } from "./principal.js";
import type { Store, TokenRecord } from "./store.js";
import { isWellFormedSecret } from "./token-secret.js";

const REJECTED =
  "Authentication failed: the project id and API token do not match an active token.";

/** Turns a project id and API token into a principal, or refuses. */
export class Authenticator {
  constructor(
    private readonly store: Store,
    private readonly keyring: Keyring,
    private readonly cache: CredentialCache,
  ) {}

  /**
   * `fresh` skips the cache and asks the store: a request that changes state must never act on
   * a credential revoked or downgraded elsewhere a moment ago, however recently it was cached.
   */
  async authenticate(
    projectId: string,
    secret: string,
    { fresh = false }: { readonly fresh?: boolean } = {},
  ): Promise<Principal> {
    if (!isWellFormedSecret(secret)) throw new AuthenticationError(REJECTED);
    const project = normalizeId(projectId);
    if (!fresh) {
      const cached = this.cache.verified(secret);
      if (cached) {
        if (cached.projectId !== project) throw new AuthenticationError(REJECTED);
        return cached;
      }
      if (this.cache.knownUnknown(secret)) throw new AuthenticationError(REJECTED);
    }
    const generation = this.cache.generation;
    const token = await this.#find(secret);
    if (!token) {
      this.cache.rememberUnknown(secret, generation);
      throw new AuthenticationError(REJECTED);
    }
    const principal: Principal = {
      projectId: token.projectId,
      tokenId: token.id,
      permissions: new Set(token.permissions),
    };
    this.cache.rememberVerified(secret, token.secretDigest, principal, generation);
    if (token.projectId !== project) throw new AuthenticationError(REJECTED);
    return principal;
  }

  /** The token a secret belongs to, under whichever held key its digest was made. */
  async #find(secret: string): Promise<TokenRecord | undefined> {
    return this.keyring.find(secret, async (digest, vault) => {
      const token = await this.store.findTokenByDigest(digest);
      return token && vault.matches(secret, token.secretDigest) ? token : undefined;
    });
  }
}
