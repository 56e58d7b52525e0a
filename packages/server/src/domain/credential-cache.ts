import { LRUCache } from "lru-cache";
import type { Principal } from "./principal.js";

interface CredentialCacheOptions {
  /** Most verified credentials kept at once. */
  readonly maxEntries: number;
  /**
   * Longest a verified credential is trusted without asking the store again: the bound on how
   * stale a credential can be when a change was made by another process.
   */
  readonly ttlMs: number;
  /** Told of every lookup, whether it found a credential (for metrics). */
  readonly onLookup?: (hit: boolean) => void;
}

/**
 * Verified credentials by secret digest, so the auth check does not cost a store round trip
 * on every request. Every update or delete of a token invalidates its entry, and bumps a
 * generation counter so that a store read which began before the invalidation cannot put a
 * stale answer back afterwards.
 */
export class CredentialCache {
  readonly #entries: LRUCache<string, Principal>;
  #generation = 0;
  /** Why caching is off right now (the revocation channel is down, a key rotation runs). */
  readonly #suspendedFor = new Set<string>();

  readonly #onLookup: ((hit: boolean) => void) | undefined;

  constructor(options: CredentialCacheOptions) {
    this.#entries = new LRUCache({ max: options.maxEntries, ttl: options.ttlMs });
    this.#onLookup = options.onLookup;
  }

  get generation(): number {
    return this.#generation;
  }

  get(digest: Buffer): Principal | undefined {
    const found = this.#entries.get(cacheKey(digest));
    this.#onLookup?.(found !== undefined);
    return found;
  }

  /** Stores the principal only if nothing was invalidated since `generationAtRead`. */
  remember(digest: Buffer, principal: Principal, generationAtRead: number): void {
    if (this.#suspendedFor.size === 0 && generationAtRead === this.#generation) {
      this.#entries.set(cacheKey(digest), principal);
    }
  }

  invalidate(digest: Buffer): void {
    this.#generation++;
    this.#entries.delete(cacheKey(digest));
  }

  /**
   * Forgets every credential and caches none until `resume` with the same reason: while a
   * change made elsewhere could go unheard, or a key rotation moves digests, every check asks
   * the store.
   */
  suspend(reason: string): void {
    this.#suspendedFor.add(reason);
    this.#generation++;
    this.#entries.clear();
  }

  /** Caches again, starting empty, once no other reason holds it off. */
  resume(reason: string): void {
    this.#suspendedFor.delete(reason);
    this.#generation++;
    this.#entries.clear();
  }
}

function cacheKey(digest: Buffer): string {
  return digest.toString("base64");
}
