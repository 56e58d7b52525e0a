import { AuthenticationError } from "../errors.js";
import type { CredentialCache } from "./credential-cache.js";
import { normalizeId } from "./identifiers.js";
import type { Principal } from "./principal.js";
import type { SecretVault } from "./secret-vault.js";
import type { Store } from "./store.js";
import { isWellFormedSecret } from "./token-secret.js";

const REJECTED =
  "Authentication failed: the project id and API token do not match an active token.";

/** Turns a project id and API token into a principal, or refuses. */
export class Authenticator {
  constructor(
    private readonly store: Store,
    private readonly vault: SecretVault,
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
    const digest = this.vault.digest(secret);
    const cached = fresh ? undefined : this.cache.get(digest);
    if (cached) {
      if (cached.projectId !== project) throw new AuthenticationError(REJECTED);
      return cached;
    }
    const generation = this.cache.generation;
    const token = await this.store.findTokenByDigest(digest);
    if (!token || !this.vault.matches(secret, token.secretDigest) || token.projectId !== project) {
      throw new AuthenticationError(REJECTED);
    }
    const principal: Principal = {
      projectId: token.projectId,
      tokenId: token.id,
      permissions: new Set(token.permissions),
    };
    this.cache.remember(digest, principal, generation);
    return principal;
  }
}
