import type { Token } from "@tokenspace/contract";
import { LRUCache } from "lru-cache";
import type { Principal } from "./principal.js";

interface CredentialCacheOptions {
  /** Most entries kept at once, in each of the three kinds. */
  readonly maxEntries: number;
  /**
   * Longest an entry is trusted without asking the store again: the bound on how stale an
   * answer can be when a change was made by another process that did not announce it.
   */
  readonly ttlMs: number;
  /** Told of every credential lookup, whether it found a verified credential (for metrics). */
  readonly onLookup?: (hit: boolean) => void;
}

/**
 * An LRU whose entries each belong to one token, found again by that token's secret digest
 * when the token changes, so one `forget(digest)` drops every entry derived from it.
 */
class TokenDerivedEntries<V> {
  readonly #entries: LRUCache<string, { readonly value: V; readonly digest: string }>;
  readonly #keyByDigest = new Map<string, string>();

  constructor(maxEntries: number, ttlMs: number) {
    this.#entries = new LRUCache({
      max: maxEntries,
      ttl: ttlMs,
      dispose: (entry, key) => {
        if (this.#keyByDigest.get(entry.digest) === key) this.#keyByDigest.delete(entry.digest);
      },
    });
  }

  get(key: string): V | undefined {
    return this.#entries.get(key)?.value;
  }

  set(key: string, digest: string, value: V): void {
    this.#entries.set(key, { value, digest });
    this.#keyByDigest.set(digest, key);
  }

  forget(digest: string): void {
    const key = this.#keyByDigest.get(digest);
    if (key !== undefined) this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}

/**
 * What the auth check and the token reads learned from the store, so that the hot paths do
 * not cost a store round trip (or a digest, or a decryption) on every request:
 * - verified credentials, by the presented secret itself (a hit needs no HMAC);
 * - secrets that matched no token, so repeated wrong credentials cost no store lookup;
 * - tokens as revealed to their owner (decrypted), by token id, for GET.
 *
 * Every update or delete of a token (here, or announced by another node) drops what was
 * derived from it, found by its secret digest, and bumps a generation counter so that a store
 * read which began before the change cannot put a stale answer back afterwards. This memory
 * holds secrets in clear; so does the server key beside it, which opens every sealed secret.
 */
export class CredentialCache {
  readonly #verified: TokenDerivedEntries<Principal>;
  readonly #revealed: TokenDerivedEntries<{ readonly projectId: string; readonly token: Token }>;
  /**
   * Secrets that matched nothing. A generated secret cannot be among them; only a secret
   * chosen by the operator (an import, a bootstrap token) can turn valid later, and such a
   * write clears them (`learnedChosenSecret`). Created elsewhere, the same TTL bounds it.
   */
  readonly #unknown: LRUCache<string, true>;
  #generation = 0;
  /** Why caching is off right now (the revocation channel is down, a key rotation runs). */
  readonly #suspendedFor = new Set<string>();
  readonly #onLookup: ((hit: boolean) => void) | undefined;

  constructor(options: CredentialCacheOptions) {
    this.#verified = new TokenDerivedEntries(options.maxEntries, options.ttlMs);
    this.#revealed = new TokenDerivedEntries(options.maxEntries, options.ttlMs);
    this.#unknown = new LRUCache({ max: options.maxEntries, ttl: options.ttlMs });
    this.#onLookup = options.onLookup;
  }

  get generation(): number {
    return this.#generation;
  }

  get #caching(): boolean {
    return this.#suspendedFor.size === 0;
  }

  /** The principal a secret was verified as, if it is still cached. */
  verified(secret: string): Principal | undefined {
    const found = this.#verified.get(secret);
    this.#onLookup?.(found !== undefined);
    return found;
  }

  /**
   * As `verified`, but a miss is not counted: for a first look whose miss leaves the lookup to
   * a full check, which counts it.
   */
  heldVerified(secret: string): Principal | undefined {
    const found = this.#verified.get(secret);
    if (found !== undefined) this.#onLookup?.(true);
    return found;
  }

  /** Whether a principal is cached for the secret; unlike `verified`, not counted as a lookup. */
  holdsVerified(secret: string): boolean {
    return this.#verified.get(secret) !== undefined;
  }

  /** Whether this secret was recently looked up and matched no token. */
  knownUnknown(secret: string): boolean {
    return this.#unknown.has(secret);
  }

  /** The token as last revealed to its project, if it is still cached. */
  revealed(projectId: string, tokenId: string): Token | undefined {
    const found = this.#revealed.get(tokenId);
    return found?.projectId === projectId ? found.token : undefined;
  }

  /** Each `remember…` stores only if nothing was invalidated since `generationAtRead`. */
  rememberVerified(secret: string, digest: Buffer, principal: Principal, generationAtRead: number) {
    if (this.#fresh(generationAtRead)) this.#verified.set(secret, digestKey(digest), principal);
  }

  rememberUnknown(secret: string, generationAtRead: number): void {
    if (this.#fresh(generationAtRead)) this.#unknown.set(secret, true);
  }

  rememberRevealed(
    projectId: string,
    digest: Buffer,
    token: Token,
    generationAtRead: number,
  ): void {
    if (this.#fresh(generationAtRead)) {
      this.#revealed.set(token.id, digestKey(digest), { projectId, token });
    }
  }

  /** The token with this secret digest changed or is gone: forget what was derived from it. */
  invalidate(digest: Buffer): void {
    this.#generation++;
    const key = digestKey(digest);
    this.#verified.forget(key);
    this.#revealed.forget(key);
  }

  /** A token was stored with a secret the operator chose, which may have been tried before. */
  learnedChosenSecret(): void {
    this.#generation++;
    this.#unknown.clear();
  }

  /** Something changed that nobody announced (another process wrote): forget everything. */
  forgetAll(): void {
    this.#clear();
  }

  /**
   * Forgets everything and caches nothing until `resume` with the same reason: while a change
   * made elsewhere could go unheard, or a key rotation moves digests, every check asks the
   * store.
   */
  suspend(reason: string): void {
    this.#suspendedFor.add(reason);
    this.#clear();
  }

  /** Caches again, starting empty, once no other reason holds it off. */
  resume(reason: string): void {
    this.#suspendedFor.delete(reason);
    this.#clear();
  }

  #fresh(generationAtRead: number): boolean {
    return this.#caching && generationAtRead === this.#generation;
  }

  #clear(): void {
    this.#generation++;
    this.#verified.clear();
    this.#revealed.clear();
    this.#unknown.clear();
  }
}

function digestKey(digest: Buffer): string {
  return digest.toString("base64");
}
