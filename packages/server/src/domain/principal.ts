import { AuthenticationError } from "./errors.js";
import type { Permission } from "./permissions.js";
import type { RateLimit } from "./token-limits.js";

/** Who a request is: the project a verified token belongs to, and what that token may do. */
export interface Principal {
  readonly projectId: string;
  readonly tokenId: string;
  readonly permissions: ReadonlySet<Permission>;
  /**
   * When these credentials stop authenticating (epoch milliseconds): the token's expiry, or
   * the end of a reroll's overlap for its previous secret. Null: not on its own.
   */
  readonly validUntil: number | null;
  /** The token's rate limit; null: none. */
  readonly rateLimit: RateLimit | null;
  /** Whether verifications spend the token's uses. */
  readonly usesLimited: boolean;
  /** The token's last change (epoch ms) as read: leases of its uses are tied to it. */
  readonly version: number;
  /**
   * Verified from the node's cache alone where a write needed the store's word (see
   * CheckOptions.confirmedByWrite): a write made for it confirms the token at `version`.
   * Always present, so that marking a cached principal unconfirmed copies an object of the same
   * shape (adding the property instead cost half a microsecond a write).
   */
  readonly unconfirmed: boolean;
}

export function requirePermission(principal: Principal, permission: Permission): void {
  if (!principal.permissions.has(permission)) {
    throw new AuthenticationError(
      `This API token does not have the ${permission} permission, which this operation requires. Use a token that has it, or add it to this token.`,
    );
  }
}
