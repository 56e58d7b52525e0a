import type { Clock } from "./clock.js";
import type { CredentialCache } from "./credential-cache.js";
import { AuthenticationError } from "./errors.js";
import { normalizeId } from "./identifiers.js";
import type { Keyring } from "./keyring.js";
import type { MaybeAsync } from "./maybe-async.js";
import type { Principal } from "./principal.js";
import { isDigestOf } from "./secret-vault.js";
import type { Store, TokenRecord } from "./store.js";
import { isWellFormedSecret } from "./token-secret.js";
import type { UsageRecorder, VerifiedToken } from "./usage-recorder.js";

/** Why credentials that do not authenticate are refused, whatever the reason: it tells nothing. */
export const CREDENTIALS_REJECTED =
  "Authentication failed: the project id and API token do not match an active token.";

function earliest(...times: (Date | null)[]): number | null {
  const known = times.filter((time): time is Date => time !== null).map((time) => time.getTime());
  return known.length === 0 ? null : Math.min(...known);
}

/** The token a secret belongs to, and whether it is that token's previous secret (after a reroll). */
interface Found {
  readonly token: TokenRecord;
  readonly viaPreviousSecret: boolean;
}

function principalOf({ token, viaPreviousSecret }: Found): Principal {
  return {
    projectId: token.projectId,
    tokenId: token.id,
    permissions: new Set(token.permissions),
    validUntil: earliest(token.expiresAt, viaPreviousSecret ? token.previousSecretExpiresAt : null),
    rateLimit: token.rateLimit,
    usesLimited: token.usesRemaining !== null,
    version: token.updatedAt.getTime(),
    unconfirmed: false,
  };
}

/**
 * Why credentials were refused. Only the holder of a token's secret, presenting it with its own
 * project id, learns that it is disabled or expired; every other failure is `unauthenticated`.
 */
export interface Refusal {
  readonly reason: "unauthenticated" | "disabled" | "expired";
  /** The token refused, when it was told apart (disabled, expired). */
  readonly token?: VerifiedToken;
}

const UNAUTHENTICATED: Refusal = { reason: "unauthenticated" };

/** What a check of credentials gives: the principal, or why they are refused. */
export type Checked = Principal | Refusal;

export function isRefusal<T extends object>(checked: T | Refusal): checked is Refusal {
  return "reason" in checked;
}

/** Options of a check: see `Authenticator.check`. */
interface CheckOptions {
  readonly fresh?: boolean;
  /**
   * With `fresh`: the write the check is for confirms its credential in the store itself
   * (Actor.unconfirmedTokenVersion), so a credential the cache holds is accepted at once,
   * marked `unconfirmed`, rather than looked up first: on PostgreSQL that lookup was a round
   * trip of its own before every write.
   */
  readonly confirmedByWrite?: boolean;
  /**
   * Runs the store lookup, or declines to (resolving to `undefined`): a caller over its guess
   * budget gets a bounded number of lookups, not one per guess.
   */
  readonly pace?: <T>(lookup: () => Promise<T>) => Promise<T | undefined>;
  /** The client's address, recorded as the token's last-used address. */
  readonly clientAddress?: string;
}

function verifiedToken(token: TokenRecord): VerifiedToken {
  return { tokenId: token.id, projectId: token.projectId };
}

/** What a store lookup of a secret found, and the cache generation it began at. */
interface Lookup {
  readonly found: Found | undefined;
  readonly generation: number;
}

/** Turns a project id and API token into a principal, or refuses. */
export class Authenticator {
  /** The store's outside-change count when the cache was last cleared for it. */
  #outsideChangesSeen: number | undefined;
  /**
   * Store lookups under way for checks that may use the cache, by secret: checks of a secret
   * that arrive meanwhile wait for that lookup rather than make their own. A client retrying
   * one wrong secret on many connections otherwise misses the cache on each during the
   * lookup's round trip and, from over the failed-authentication budget, queues a paced turn
   * for each, 50 ms apart.
   */
  readonly #lookups = new Map<string, Promise<Lookup | undefined>>();

  constructor(
    private readonly store: Store,
    private readonly keyring: Keyring,
    private readonly cache: CredentialCache,
    private readonly clock: Clock,
    private readonly usage: UsageRecorder,
  ) {}

  /**
   * `fresh` asks the store rather than the cache, unless the cache is known to hold every
   * change (`#cacheHoldsEveryChange`): a request that changes state must never act on a
   * credential revoked or downgraded elsewhere a moment ago, however recently it was cached.
   */
  async authenticate(
    projectId: string,
    secret: string,
    options: { readonly fresh?: boolean } = {},
  ): Promise<Principal> {
    const principal = await this.verify(projectId, secret, options);
    if (!principal) throw new AuthenticationError(CREDENTIALS_REJECTED);
    return principal;
  }

  /**
   * As `authenticate`, but credentials that do not authenticate give undefined rather than an
   * error.
   */
  async verify(
    projectId: string,
    secret: string,
    options: CheckOptions = {},
  ): Promise<Principal | undefined> {
    const checked = await this.check(projectId, secret, options);
    return isRefusal(checked) ? undefined : checked;
  }

  /**
   * The principal of credentials the cache holds and accepts, their use noted, as `check` gives
   * it; otherwise undefined, with nothing done, for the caller to `check` in full. For answers
   * written before the framework sees the request: a check's refusals and store lookups need
   * what the framework gives (the failed-authentication budget, pacing, the refusal's shape).
   * For a write that confirms its credential itself (CheckOptions.confirmedByWrite) the
   * principal is marked `unconfirmed`, as `check` marks it.
   */
  cachedPrincipal(
    projectId: string,
    secret: string,
    clientAddress: string | null,
    confirmedByWrite = false,
  ): Principal | undefined {
    const cached = this.cache.heldVerified(secret);
    if (!cached) return undefined;
    const principal = confirmedByWrite ? { ...cached, unconfirmed: true } : cached;
    const checked = this.#accept(principal, normalizeId(projectId), clientAddress);
    return isRefusal(checked) ? undefined : checked;
  }

  /**
   * The principal of credentials, or why they are refused. When the cache decides, the answer
   * is given at once rather than as a promise: forward auth and every cached read come here
   * thousands of times a second, and a promise per layer was a measurable share of each.
   */
  check(projectId: string, secret: string, options: CheckOptions = {}): MaybeAsync<Checked> {
    if (!isWellFormedSecret(secret)) return UNAUTHENTICATED;
    const project = normalizeId(projectId);
    const address = options.clientAddress ?? null;
    // A write that confirms its credential itself need not learn first whether the cache is
    // exact (on SQLite, `data_version`: two lock calls on the WAL's shared memory).
    const consultsCache =
      !options.fresh || (!options.confirmedByWrite && this.#cacheHoldsEveryChange());
    if (consultsCache) {
      const cached = this.cache.verified(secret);
      if (cached) return this.#accept(cached, project, address);
      if (this.cache.knownUnknown(secret)) return UNAUTHENTICATED;
    } else if (options.confirmedByWrite) {
      const cached = this.cache.verified(secret);
      if (cached) return this.#accept({ ...cached, unconfirmed: true }, project, address);
    }
    // A fresh check of a secret that verified a moment ago asks the store again, unpaced; a
    // check that consulted the cache got here on a miss.
    const knownGood = !consultsCache && this.cache.holdsVerified(secret);
    const pace = knownGood ? undefined : options.pace;
    // A fresh check must read the store after it arrived, so it never waits on a lookup that
    // began before.
    const looked = options.fresh ? this.#lookup(secret, pace) : this.#sharedLookup(secret, pace);
    return this.#checkInStore(looked, secret, project, address);
  }

  /**
   * The lookup under way for the secret, or a new one. A lookup its pace declined answers only
   * its own check: a check joining it is paced by its own caller's budget.
   */
  #sharedLookup(secret: string, pace: CheckOptions["pace"]): Promise<Lookup | undefined> {
    const underWay = this.#lookups.get(secret);
    if (underWay) return underWay.then((looked) => looked ?? this.#lookup(secret, pace));
    const lookup = this.#lookup(secret, pace).finally(() => this.#lookups.delete(secret));
    this.#lookups.set(secret, lookup);
    return lookup;
  }

  /** The store lookup of a secret, paced if asked; undefined when the pace declined it. */
  async #lookup(secret: string, pace: CheckOptions["pace"]): Promise<Lookup | undefined> {
    const lookup = async () => {
      const generation = this.cache.generation;
      return { found: await this.#find(secret), generation };
    };
    return pace ? pace(lookup) : lookup();
  }

  async #checkInStore(
    lookup: Promise<Lookup | undefined>,
    secret: string,
    project: string,
    address: string | null,
  ): Promise<Checked> {
    const looked = await lookup;
    if (!looked) return UNAUTHENTICATED;
    const { found, generation } = looked;
    if (!found) {
      this.cache.rememberUnknown(secret, generation);
      return UNAUTHENTICATED;
    }
    // A disabled token is refused like a deleted one, and not cached: enabling it again
    // invalidates nothing that could hold the refusal.
    if (!found.token.enabled) {
      return found.token.projectId === project
        ? { reason: "disabled", token: verifiedToken(found.token) }
        : UNAUTHENTICATED;
    }
    const principal = principalOf(found);
    this.cache.rememberVerified(secret, found.token.secretDigest, principal, generation);
    return this.#accept(principal, project, address);
  }

  /**
   * The token a secret authenticates as right now, whichever project it belongs to, under the
   * same rules as `check` (disabled, expired, past a reroll's overlap): for introspection, which
   * is given a secret alone. Always asks the store; counts as a use (with no address: the
   * caller is not the token's client).
   */
  async inspect(
    secret: string,
  ): Promise<{ readonly token: TokenRecord; readonly principal: Principal } | Refusal> {
    if (!isWellFormedSecret(secret)) return UNAUTHENTICATED;
    const found = await this.#find(secret);
    if (!found) return UNAUTHENTICATED;
    if (!found.token.enabled) return { reason: "disabled", token: verifiedToken(found.token) };
    const now = this.clock.now();
    const principal = principalOf(found);
    if (principal.validUntil !== null && principal.validUntil <= now.getTime()) {
      return { reason: "expired", token: verifiedToken(found.token) };
    }
    this.usage.record(found.token.id, now, null);
    return { token: found.token, principal };
  }

  /**
   * Whether the cache stands for the store exactly: it does when no other process has written
   * to the store since the cache was last cleared, as this node drops what its own writes
   * change. A store other nodes share cannot tell, so a fresh check there always asks it.
   */
  #cacheHoldsEveryChange(): boolean {
    const count = this.store.outsideChangeCount();
    if (count === undefined) return false;
    if (count === this.#outsideChangesSeen) return true;
    this.cache.forgetAll();
    this.#outsideChangesSeen = count;
    return false;
  }

  /** The principal, unless it belongs elsewhere or its time is up; its use is noted. */
  #accept(principal: Principal, projectId: string, address: string | null): Checked {
    const now = this.clock.now();
    if (principal.projectId !== projectId) return UNAUTHENTICATED;
    if (principal.validUntil !== null && principal.validUntil <= now.getTime()) {
      return { reason: "expired", token: principal };
    }
    this.usage.record(principal.tokenId, now, address);
    return principal;
  }

  /**
   * The token a secret belongs to, under whichever held key its digest was made, and whether
   * it is that token's previous secret (after a reroll).
   */
  async #find(secret: string): Promise<Found | undefined> {
    return this.keyring.find(secret, async (digests) => {
      const token = await this.store.findTokenByDigests(digests);
      if (!token) return undefined;
      if (isDigestOf(digests, token.secretDigest)) return { token, viaPreviousSecret: false };
      const previous = token.previousSecretDigest;
      if (previous && isDigestOf(digests, previous)) return { token, viaPreviousSecret: true };
      return undefined;
    });
  }
}
