import type { AuditAction } from "@tokenspace/contract";
import type { Actor } from "./actor.js";
import type { Counters } from "./counters.js";
import type { LifecycleEventType } from "./lifecycle-events.js";
import type { Permission } from "./permissions.js";
import type { SecretDigests } from "./secret-vault.js";
import type { RateLimit, UsesRefill } from "./token-limits.js";

export interface ProjectRecord {
  readonly id: string;
  /** The parent project's id for a subproject, null for a top-level project. */
  readonly parentId: string | null;
  readonly friendlyName: string;
  /**
   * HMAC of the project's signing key, and the key sealed under the server key; null for
   * projects created before signing keys existed.
   */
  readonly signingKeyDigest: Buffer | null;
  readonly sealedSigningKey: Buffer | null;
  /** Insertion order within the store; lists page by it. */
  readonly position: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type NewProjectRecord = Omit<ProjectRecord, "position">;

export interface ProjectChangeSet {
  readonly friendlyName: string;
  readonly updatedAt: Date;
}

export interface TokenRecord {
  readonly id: string;
  readonly projectId: string;
  readonly name: string;
  readonly permissions: Permission[];
  /** HMAC of the secret under the server key; how a presented secret finds its token. */
  readonly secretDigest: Buffer;
  /** The secret encrypted under the server key, bound to the token id. */
  readonly sealedSecret: Buffer;
  /** Insertion order within the store; lists page by it. */
  readonly position: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly enabled: boolean;
  readonly expiresAt: Date | null;
  readonly lastUsedAt: Date | null;
  /**
   * After a reroll with an overlap: the previous secret's digest and ciphertext (kept so a key
   * rotation can re-seal it), and until when it still authenticates.
   */
  readonly previousSecretDigest: Buffer | null;
  readonly previousSealedSecret: Buffer | null;
  readonly previousSecretExpiresAt: Date | null;
  /** Whether the expiry has been recorded in the audit log (and announced). */
  readonly expiryRecorded: boolean;
  /** The client address of the last use. */
  readonly lastUsedIp: string | null;
  readonly rateLimit: RateLimit | null;
  /**
   * Uses left in the store, null for unlimited. Nodes take them in small leases (`takeUses`),
   * so the count here may run ahead of the verifications made by up to what nodes hold.
   */
  readonly usesRemaining: number | null;
  readonly usesRefill: UsesRefill | null;
  /** The last refill (or when the refill was set): the next is due `usesRefill.everyMs` after. */
  readonly usesRefilledAt: Date | null;
}

export type NewTokenRecord = Omit<TokenRecord, "position">;

/** A token as a list shows it: everything but its secret's digests and ciphertexts. */
export type ListedTokenRecord = Omit<
  TokenRecord,
  "secretDigest" | "sealedSecret" | "previousSecretDigest" | "previousSealedSecret"
>;

/**
 * A token as the Tokens API lists it: what the page shows and where it stands. A page reads
 * no more: the other columns were most of a page's cost.
 */
export type TokenListing = Pick<ListedTokenRecord, "id" | "name" | "permissions" | "position">;

export interface TokenChangeSet {
  readonly name?: string;
  readonly permissions?: Permission[];
  readonly enabled?: boolean;
  /** A new expiry; null removes it; left out, it stays. */
  readonly expiresAt?: Date | null;
  /** As the expiry: a new value, null to remove, left out to keep. */
  readonly rateLimit?: RateLimit | null;
  readonly usesRemaining?: number | null;
  /** A new refill is anchored at `updatedAt`: the first is due one period after it. */
  readonly usesRefill?: UsesRefill | null;
  readonly updatedAt: Date;
}

/** A reroll: the new secret, and how long the current one keeps working (null: not at all). */
export interface TokenReroll {
  readonly secret: SealedSecret;
  readonly previousSecretExpiresAt: Date | null;
  readonly updatedAt: Date;
}

/** A token last authenticated at this time, from this address (recorded in batches). */
export interface TokenUse {
  readonly tokenId: string;
  readonly at: Date;
  readonly ip: string | null;
}

/** Uses taken from a token's count: how many, and what is left in the store after them. */
export interface UsesLease {
  readonly granted: number;
  readonly remaining: number;
  /** The token's refill anchor as the lease found it (a later refill voids giving back). */
  readonly refilledAt: Date | null;
}

/** Verifications counted for a token or a project in one bucket of `spanMs` from `start`. */
export interface UsageCount {
  readonly subjectId: string;
  readonly spanMs: number;
  readonly start: Date;
  readonly allowed: number;
  readonly refused: number;
}

/** One bucket's counts as read back. */
export interface UsageRow {
  readonly start: Date;
  readonly allowed: number;
  readonly refused: number;
}

/** Whose usage to read: one token's, or a project family's (or one project of it). */
export type UsageScope =
  | { readonly tokenId: string }
  | { readonly projectId: string; readonly onlyProjectId?: string };

/** An entry of the audit log, as written in the same transaction as the change it records. */
export interface NewAuditRecord {
  readonly action: AuditAction;
  /** The project the target belongs to; null for the whole service. */
  readonly projectId: string | null;
  readonly targetType: "token" | "project" | "server";
  readonly targetId: string | null;
  readonly actor: Actor;
  readonly details: Readonly<Record<string, unknown>>;
  readonly occurredAt: Date;
  /**
   * The event the change announces, if webhooks are on: the store writes its announcement for
   * the token it changed, in the same transaction (see `announcement`).
   */
  readonly announces?: LifecycleEventType;
}

/** A webhook delivery in the outbox. */
export interface DeliveryRecord {
  readonly id: string;
  readonly type: LifecycleEventType;
  readonly projectId: string;
  readonly payload: string;
  readonly createdAt: Date;
  /** Attempts made so far. */
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly deliveredAt: Date | null;
  readonly failedAt: Date | null;
  readonly lastError: string | null;
}

export type DeliveryOutcome =
  | { readonly delivered: Date }
  | { readonly retryAt: Date; readonly error: string }
  | { readonly failed: Date; readonly error: string };

export interface AuditRecord extends Omit<NewAuditRecord, "announces"> {
  /** Insertion order; lists page by it. */
  readonly position: number;
}

/** Which entries an audit list holds. */
export interface AuditFilter {
  /** Only entries about this project of the family (its tokens and itself). */
  readonly projectId?: string;
  readonly targetId?: string;
  readonly action?: AuditAction;
  readonly since?: Date;
  readonly until?: Date;
}

/** Which tokens of a project's family a list holds; every given condition must hold. */
export interface TokenFilter {
  /** Only this project of the family. */
  readonly projectId?: string;
  /** Only names containing this text, compared in lower case (Unicode). */
  readonly nameContains?: string;
  /** Only tokens expiring in `[from, by)`. */
  readonly expiring?: { readonly from: Date; readonly by: Date };
}

/** A secret as the store keeps it: its digest and its ciphertext. */
export interface SealedSecret {
  readonly digest: Buffer;
  readonly sealed: Buffer;
}

/** A window of a list in position order: after one position or before one. */
export interface ListWindow {
  readonly after?: number;
  readonly before?: number;
  readonly limit: number;
}

/**
 * A window of a filtered list: the rows that pass the filter among the next `examine` rows of
 * the list beyond the cursor, at most `limit` of them. Bounding what is examined bounds the cost
 * of a request whatever the filter matches.
 */
export interface FilteredListWindow extends ListWindow {
  readonly examine: number;
}

/** What a filtered window found, ascending by position. */
export interface FilteredRows<T> {
  readonly rows: T[];
  /**
   * When fewer than `limit` rows passed and the list goes on beyond the rows examined: the
   * position of the last row examined, where the next window starts. Otherwise undefined.
   */
  readonly examinedThrough: number | undefined;
}

/** Told when a token is changed or deleted, possibly by another node on the same store. */
export interface RevocationWatcher {
  /** The token with this secret digest changed: forget what is cached about it. */
  revoked(secretDigest: Buffer): void;
  /** The channel is down, so changes may go unheard: forget everything, cache nothing. */
  lost(): void;
  /** The channel is back: caching may resume, from a clean slate. */
  restored(): void;
}

/** What one batch of audit retention did (see Store.pruneAudit). */
export interface AuditPruneBatch {
  readonly deleted: number;
  /** The last position the batch read; null when there was no entry after the one given. */
  readonly through: number | null;
}

/**
 * Everything Tokenspace keeps: the port the domain owns and the store layer implements
 * (`store/sqlite/sqlite-store.ts`, the embedded default, and `store/postgres/postgres-store.ts`,
 * many nodes on one database). An implementation is opened with its migrations applied; every
 * write resolves only once it is durable; a store that cannot be reached rejects with
 * `StoreUnavailableError`, and a duplicate of something unique with `StoreConflictError`.
 */
export interface Store {
  /** Resolves when the store answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * Reports token changes made through any node sharing this store, for as long as the store
   * is open. A store used by one process only may report nothing: its own changes are already
   * known, and a cache lifetime bounds the rest.
   */
  watchRevocations(watcher: RevocationWatcher): void;
  /**
   * A count that moves whenever another process commits a change to the store, read without a
   * round trip; undefined for a store other nodes share, whose changes only the store can tell.
   * While it holds still, this node's own changes are the only ones.
   */
  outsideChangeCount(): number | undefined;
  /**
   * Request counters every node on this store shares, or undefined for a store only one
   * process uses (which then counts in memory).
   */
  sharedCounters(): Counters | undefined;

  readSetting(key: string): Promise<string | undefined>;
  /** Writes the setting unless one is already there; returns the value now stored. */
  initSetting(key: string, value: string): Promise<string>;
  /**
   * Writes every given setting (a value) and removes every other named one (`undefined`), all
   * in one transaction.
   */
  writeSettings(
    settings: Readonly<Record<string, string | undefined>>,
    audit?: NewAuditRecord,
  ): Promise<void>;

  /*
   * Every write below that changes what a client can see takes the audit entry recording it,
   * and writes both in one transaction: the entry exists exactly when the change does.
   */

  insertProject(project: NewProjectRecord, audit: NewAuditRecord): Promise<ProjectRecord>;
  findProject(id: string): Promise<ProjectRecord | undefined>;
  /** Renames a project; undefined when it does not exist. */
  updateProject(
    id: string,
    changes: ProjectChangeSet,
    audit: NewAuditRecord,
  ): Promise<ProjectRecord | undefined>;
  /**
   * A project and its subprojects in position order (the project first, as it was created
   * before them), optionally only those with exactly this friendly name.
   */
  listProjectFamily(
    projectId: string,
    window: ListWindow,
    friendlyName?: string,
  ): Promise<ProjectRecord[]>;
  countProjects(): Promise<number>;
  /** Every project, oldest first. */
  listProjects(): Promise<ProjectRecord[]>;

  /**
   * Stores a new token with its audit entry. Nothing comes back: the record is what was written,
   * and its position is needed by no create (copying the record to add it cost a create 1 %).
   */
  insertToken(token: NewTokenRecord, audit: NewAuditRecord): Promise<void>;
  /**
   * Inserts many tokens at once, all or none (bulk import, benchmark seeding), with one audit
   * entry for the whole import.
   */
  insertTokens(tokens: readonly NewTokenRecord[], audit: NewAuditRecord): Promise<void>;
  /**
   * Replaces every project, token, audit entry and webhook delivery with these, all or nothing
   * (mock mode's fixtures); settings stay. Top-level projects come before their subprojects.
   */
  replaceContents(
    projects: readonly NewProjectRecord[],
    tokens: readonly NewTokenRecord[],
    audit: NewAuditRecord,
  ): Promise<void>;
  findToken(projectId: string, tokenId: string): Promise<TokenRecord | undefined>;
  findTokenById(tokenId: string): Promise<TokenRecord | undefined>;
  /**
   * The token whose current secret, or previous secret after a reroll, has one of these
   * digests (a secret's digest in each form it may be stored in).
   */
  findTokenByDigests(digests: SecretDigests): Promise<TokenRecord | undefined>;
  /** Applies all changes at once or none; undefined when the token is not in that project. */
  updateToken(
    projectId: string,
    tokenId: string,
    changes: TokenChangeSet,
    audit: NewAuditRecord,
  ): Promise<TokenRecord | undefined>;
  /**
   * Gives a token a new secret. The current one becomes the previous secret until
   * `previousSecretExpiresAt`, or stops at once when that is null. Announced like an update,
   * with the digest the token had before (the one caches hold it under), which it also returns.
   */
  rerollToken(
    projectId: string,
    tokenId: string,
    reroll: TokenReroll,
    audit: NewAuditRecord,
  ): Promise<{ readonly token: TokenRecord; readonly replacedDigest: Buffer } | undefined>;
  /** Returns the deleted token, or undefined when it was not in that project. */
  deleteToken(
    projectId: string,
    tokenId: string,
    audit: NewAuditRecord,
  ): Promise<TokenRecord | undefined>;
  /** Tokens of one project in ascending position order. */
  listTokens(projectId: string, window: ListWindow): Promise<TokenListing[]>;
  /**
   * The version of what `listTokens` shows of a project: it moves on, in the same transaction,
   * with every change to it, whoever writes, and never comes back. Undefined for a project that
   * is not there or has had no token written since it was made.
   */
  tokenListVersion(projectId: string): Promise<string | undefined>;
  /** Tokens of a project and its subprojects in ascending position order, filtered. */
  listFamilyTokens(
    projectId: string,
    window: FilteredListWindow,
    filter?: TokenFilter,
  ): Promise<FilteredRows<ListedTokenRecord>>;
  /**
   * Moves each token's last use forward to the time given (never back), with its address; no
   * audit, no announcement.
   */
  recordTokenUses(uses: readonly TokenUse[]): Promise<void>;
  /**
   * Takes up to `want` uses from a token's count at `now` (refilling it first when a refill is
   * due), atomically across nodes; undefined when the token is gone or its uses are unlimited.
   */
  takeUses(tokenId: string, want: number, now: Date): Promise<UsesLease | undefined>;
  /**
   * Puts back uses a lease took and did not spend, unless the token was changed (`updatedAt`)
   * or refilled since: then what it holds now stands.
   */
  giveBackUses(
    tokenId: string,
    count: number,
    lease: { readonly updatedAt: Date; readonly refilledAt: Date | null },
  ): Promise<void>;
  /** Adds verification counts to their buckets (created as needed). */
  addUsage(counts: readonly UsageCount[]): Promise<void>;
  /** Buckets of `spanMs` from `since`, oldest first, at most `limit`; a family's summed. */
  readUsage(scope: UsageScope, spanMs: number, since: Date, limit: number): Promise<UsageRow[]>;
  /** Deletes up to `limit` usage buckets that started before `before`; returns how many. */
  pruneUsage(before: Date, limit: number): Promise<number>;
  /**
   * Marks up to `limit` tokens whose expiry has passed and is not yet recorded, with a
   * `token.expired` entry each in the same transaction; returns them. Safe to run on every
   * node at once: each expiry is claimed by exactly one. With `announces`, each expiry's
   * announcement is written in that transaction too.
   */
  claimExpiredTokens(now: Date, limit: number, announces: boolean): Promise<TokenRecord[]>;

  /**
   * Takes up to `limit` webhook deliveries that are due by `now` and leases them until
   * `leaseUntil`: no other node takes them meanwhile, and one whose node stops before settling
   * it is taken again after the lease. Oldest due first.
   */
  claimDeliveries(now: Date, limit: number, leaseUntil: Date): Promise<DeliveryRecord[]>;
  /** Records one attempt's outcome: delivered, to be retried at a time, or given up on. */
  settleDelivery(id: string, outcome: DeliveryOutcome): Promise<void>;
  /** Deliveries given up on, newest first. */
  listFailedDeliveries(limit: number): Promise<DeliveryRecord[]>;

  /** Entries of a project, its subprojects and the whole service, newest last. */
  listAudit(
    projectId: string,
    filter: AuditFilter,
    window: FilteredListWindow,
  ): Promise<FilteredRows<AuditRecord>>;
  /**
   * One batch of retention: of the `limit` entries after position `after`, in the order they
   * were written, deletes those older than `before`. Reads no further than those entries.
   */
  pruneAudit(before: Date, after: number, limit: number): Promise<AuditPruneBatch>;
  /** Deletes up to `limit` webhook deliveries delivered or given up on before `before`. */
  pruneDeliveries(before: Date, limit: number): Promise<number>;
  /** Tokens of every project after a position, in ascending position order (key rotation). */
  listAllTokens(afterPosition: number, limit: number): Promise<TokenRecord[]>;
  /**
   * Replaces a token's digest and sealed secret (and its previous secret's, when it has one),
   * only if its digest is still `expectedDigest`; returns whether it did. Re-sealing changes no
   * field a client sees.
   */
  resealToken(
    id: string,
    expectedDigest: Buffer,
    sealed: SealedSecret,
    previous: SealedSecret | null,
  ): Promise<boolean>;
  /** The same for a project's signing key. */
  resealSigningKey(id: string, expectedDigest: Buffer, sealed: SealedSecret): Promise<boolean>;
}
