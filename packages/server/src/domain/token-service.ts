import {
  type IssuedManagedToken,
  type Token as IssuedToken,
  type ManagedToken,
  REROLL_OVERLAP_MAX_SECONDS,
  TOKEN_SECRET_DESCRIPTION,
  type TokenSummary,
} from "@tokenspace/contract";
import { type Actor, OPERATOR } from "./actor.js";
import { type AuditTarget, auditEntry } from "./audit-log.js";
import type { Clock } from "./clock.js";
import type { CredentialCache } from "./credential-cache.js";
import { DURATION_FORMAT, parseDuration } from "./duration.js";
import { NotFoundError, ValidationError } from "./errors.js";
import { newId, normalizeId } from "./identifiers.js";
import type { Keyring } from "./keyring.js";
import { type Page, type PageQuery, readFilteredPage, readPage } from "./keyset-page.js";
import type { LifecycleEvents, LifecycleEventType } from "./lifecycle-events.js";
import type { MaybeAsync } from "./maybe-async.js";
import { type NewTokenSettings, newTokenRecord } from "./new-records.js";
import type { DigestForm } from "./secret-vault.js";
import type {
  ListedTokenRecord,
  NewAuditRecord,
  NewTokenRecord,
  Store,
  TokenChangeSet,
  TokenFilter,
  TokenListing,
  TokenRecord,
} from "./store.js";
import {
  type LifecycleChanges,
  TOKEN_FIELD_EXPECTATIONS,
  type TokenChanges,
  validateLifecycleChanges,
  validateTokenChanges,
} from "./token-fields.js";
import {
  type LimitChanges,
  limitFieldNames,
  rateLimitView,
  usesAt,
  usesRefillView,
  type ValidLimitChanges,
  validateLimitChanges,
} from "./token-limits.js";
import { TokenListCache } from "./token-list-cache.js";
import { generateSecret, isWellFormedSecret } from "./token-secret.js";
import {
  invalidParameter,
  invalidProjectIdFilter,
  unstorableText,
  type ValidationProblem,
} from "./validation-problem.js";

/**
 * A token as its owner sees it after create, update or get (with the secret): the contract's
 * shape, defined there once.
 */
export type { IssuedToken };

/** Filters of a list of managed tokens, as a client gives them. */
interface ManagedTokenQuery {
  /** A duration ahead of now: seconds, or "12h", "7d"... */
  readonly expiringWithin?: string | number;
  /** Only this project of the family (the caller's own or a subproject). */
  readonly projectId?: string;
  /** Only names containing this text, ignoring case. */
  readonly name?: string;
}

export interface NewToken extends LifecycleChanges, LimitChanges {
  readonly name?: string;
  readonly permissions?: readonly string[];
  readonly subprojectId?: string;
}

interface CreateOptions {
  readonly actor?: Actor;
  /** A secret the operator chose (bootstrap configuration); otherwise a fresh one. */
  readonly secret?: string;
}

/** The Tokens API's rules, shared by every surface and the CLI. */
export class TokenService {
  readonly #lists = new TokenListCache();

  constructor(
    private readonly store: Store,
    private readonly keyring: Keyring,
    private readonly cache: CredentialCache,
    private readonly clock: Clock,
    private readonly events: LifecycleEvents,
  ) {}

  create(projectId: string, input: NewToken, options: CreateOptions = {}): Promise<IssuedToken> {
    return this.#create(projectId, input, options).then(({ record, secret }) =>
      issued(record, secret),
    );
  }

  /** A create on the extension surface: the token with its lifecycle and its secret. */
  async createManaged(
    projectId: string,
    input: NewToken,
    actor: Actor,
  ): Promise<IssuedManagedToken> {
    const { record, secret } = await this.#create(projectId, input, { actor });
    return { ...managedToken(record, this.clock.now()), token: secret };
  }

  async #create(
    projectId: string,
    input: NewToken,
    { actor = OPERATOR, secret: presetSecret }: CreateOptions,
  ): Promise<{ record: NewTokenRecord; secret: string }> {
    const now = this.clock.now();
    const fields = validateTokenChanges(input, "create");
    const lifecycle = validateLifecycleChanges(input, now);
    const limits = validateLimitChanges(input);
    const owner =
      input.subprojectId === undefined
        ? projectId
        : await this.#subprojectOf(projectId, input.subprojectId);
    const secret = presetSecret ?? generateSecret(now.getTime());
    const draft = this.#newRecord(
      owner,
      fields,
      secret,
      presetSecret === undefined ? "time-led" : "plain",
      now,
      startingSettings(lifecycle, limits, now),
    );
    await this.store.insertToken(
      draft,
      auditEntry("token.created", tokenTarget(draft), actor, now, {
        fields: [
          "name",
          "permissions",
          ...lifecycleFieldNames(lifecycle),
          ...limitFieldNames(limits),
        ],
      }),
    );
    if (presetSecret !== undefined) this.cache.learnedChosenSecret();
    return { record: draft, secret };
  }

  /**
   * Stores many tokens with known secrets in one write, all or none: for moving tokens over
   * from elsewhere, and for seeding large stores. Each is validated like a create; the audit
   * log records the import once. Returns the new tokens' ids, in order.
   */
  async importTokens(
    projectId: string,
    tokens: readonly {
      readonly name: string;
      readonly permissions: readonly string[];
      readonly secret: string;
    }[],
    actor: Actor = OPERATOR,
  ): Promise<string[]> {
    const now = this.clock.now();
    const records = tokens.map((token) => {
      const fields = validateTokenChanges(token, "create");
      if (!isWellFormedSecret(token.secret)) {
        throw new ValidationError([invalidParameter("token", TOKEN_SECRET_DESCRIPTION)]);
      }
      return this.#newRecord(projectId, fields, token.secret, "plain", now);
    });
    await this.store.insertTokens(
      records,
      auditEntry("token.imported", { type: "project", id: projectId, projectId }, actor, now, {
        count: records.length,
      }),
    );
    this.cache.learnedChosenSecret();
    return records.map((record) => record.id);
  }

  /** The token a secret belongs to, if any. */
  async findBySecret(secret: string): Promise<TokenRecord | undefined> {
    if (!isWellFormedSecret(secret)) return undefined;
    return this.keyring.find(secret, (digests) => this.store.findTokenByDigests(digests));
  }

  /**
   * A token with its secret, from memory while nothing changed it (see CredentialCache): then
   * at once, without a promise.
   */
  get(projectId: string, tokenId: string): MaybeAsync<IssuedToken> {
    const id = normalizeId(tokenId);
    return this.cache.revealed(projectId, id) ?? this.#getFromStore(projectId, id, tokenId);
  }

  async #getFromStore(projectId: string, id: string, tokenId: string): Promise<IssuedToken> {
    const generation = this.cache.generation;
    const record = await this.store.findToken(projectId, id);
    if (!record) throw tokenNotFound(tokenId);
    const token = this.#reveal(record);
    this.cache.rememberRevealed(projectId, record.secretDigest, token, generation);
    return token;
  }

  async update(
    projectId: string,
    tokenId: string,
    changes: TokenChanges,
    actor: Actor = OPERATOR,
  ): Promise<IssuedToken> {
    return this.#reveal(await this.#update(projectId, tokenId, changes, actor));
  }

  /** An update on the extension surface, lifecycle fields included (no secret shown). */
  async updateManaged(
    projectId: string,
    tokenId: string,
    changes: TokenChanges & LifecycleChanges & LimitChanges,
    actor: Actor,
  ): Promise<ManagedToken> {
    return managedToken(await this.#update(projectId, tokenId, changes, actor), this.clock.now());
  }

  async #update(
    projectId: string,
    tokenId: string,
    changes: TokenChanges & LifecycleChanges & LimitChanges,
    actor: Actor,
  ): Promise<TokenRecord> {
    const now = this.clock.now();
    const fields = validateTokenChanges(changes, "update");
    const lifecycle = validateLifecycleChanges(changes, now);
    const id = normalizeId(tokenId);
    const limits = await this.#startingUses(projectId, id, validateLimitChanges(changes));
    const changeSet: TokenChangeSet = { ...fields, ...lifecycle, ...limits, updatedAt: now };
    const named = [
      ...Object.keys(fields),
      ...lifecycleFieldNames(lifecycle),
      ...limitFieldNames(limits),
    ];
    const action =
      lifecycle.enabled === undefined
        ? "token.updated"
        : lifecycle.enabled
          ? "token.enabled"
          : "token.disabled";
    const record = await this.store.updateToken(
      projectId,
      id,
      changeSet,
      auditEntry(action, { type: "token", id, projectId }, actor, now, { fields: named }),
    );
    if (!record) throw tokenNotFound(tokenId);
    this.cache.invalidate(record.secretDigest);
    return record;
  }

  /**
   * A refill given to a token whose uses are unlimited starts it at the refill's amount: a
   * refill of nothing would mean nothing.
   */
  async #startingUses(
    projectId: string,
    tokenId: string,
    limits: ValidLimitChanges,
  ): Promise<ValidLimitChanges> {
    if (!limits.usesRefill || limits.usesRemaining !== undefined) return limits;
    const current = await this.store.findToken(projectId, tokenId);
    return current?.usesRemaining === null
      ? { ...limits, usesRemaining: limits.usesRefill.amount }
      : limits;
  }

  async delete(projectId: string, tokenId: string, actor: Actor = OPERATOR): Promise<void> {
    const now = this.clock.now();
    const id = normalizeId(tokenId);
    const record = await this.store.deleteToken(
      projectId,
      id,
      this.#announcing(
        "token.deleted",
        auditEntry("token.deleted", { type: "token", id, projectId }, actor, now),
      ),
    );
    if (!record) throw tokenNotFound(tokenId);
    this.cache.invalidate(record.secretDigest);
    if (this.events.announcing) this.events.announced();
  }

  /**
   * A new secret for the same token id, name and permissions. The current secret keeps
   * authenticating for `overlap` (0 to 7 days; 0 stops it at once), then stops on every node.
   */
  async reroll(
    projectId: string,
    tokenId: string,
    overlap: unknown,
    actor: Actor = OPERATOR,
  ): Promise<IssuedManagedToken> {
    const overlapMs = overlap === undefined ? 0 : parseDuration(overlap);
    if (overlapMs === undefined || overlapMs > REROLL_OVERLAP_MAX_SECONDS * 1000) {
      throw new ValidationError([invalidParameter("overlap", TOKEN_FIELD_EXPECTATIONS.overlap)]);
    }
    const now = this.clock.now();
    const id = normalizeId(tokenId);
    const secret = generateSecret(now.getTime());
    const rerolled = await this.store.rerollToken(
      projectId,
      id,
      {
        secret: this.keyring.seal(secret, id, "time-led"),
        previousSecretExpiresAt: overlapMs > 0 ? new Date(now.getTime() + overlapMs) : null,
        updatedAt: now,
      },
      this.#announcing(
        "token.rerolled",
        auditEntry("token.rerolled", { type: "token", id, projectId }, actor, now, {
          overlap_seconds: overlapMs / 1000,
        }),
      ),
    );
    if (!rerolled) throw tokenNotFound(tokenId);
    const record = rerolled.token;
    this.cache.invalidate(rerolled.replacedDigest);
    if (this.events.announcing) this.events.announced();
    return { ...managedToken(record, now), token: secret };
  }

  async list(projectId: string, query: PageQuery): Promise<Page<TokenSummary>> {
    // Read before the page: a change committed between the two leaves the page under the version
    // before it, which the next request finds moved on.
    const version = await this.store.tokenListVersion(projectId);
    const held = this.#lists.get(projectId, query, version);
    if (held) return held;
    const page = await readPage((window) => this.store.listTokens(projectId, window), query);
    const listed = { ...page, items: page.items.map(summary) };
    this.#lists.remember(projectId, query, version, listed);
    return listed;
  }

  /**
   * Tokens of a project and its subprojects with their lifecycle, filtered: only one project of
   * the family, names containing a text, tokens that expire between now and a while ahead.
   */
  async listManaged(projectId: string, query: ManagedTokenQuery, page: PageQuery) {
    const filter = this.#tokenFilter(query);
    const found = await readFilteredPage(
      (window) => this.store.listFamilyTokens(projectId, window, filter),
      page,
    );
    const now = this.clock.now();
    return { ...found, items: found.items.map((record) => managedToken(record, now)) };
  }

  /** The audit entry of `event`, announcing it too when webhooks are on (the store writes both). */
  #announcing(event: LifecycleEventType, entry: NewAuditRecord): NewAuditRecord {
    return this.events.announcing ? { ...entry, announces: event } : entry;
  }

  #tokenFilter(query: ManagedTokenQuery): TokenFilter {
    const problems: ValidationProblem[] = [];
    const within =
      query.expiringWithin === undefined ? undefined : parseDuration(query.expiringWithin);
    if (query.expiringWithin !== undefined && within === undefined) {
      problems.push(invalidParameter("expiring_within", DURATION_FORMAT));
    }
    const projectIdProblem = invalidProjectIdFilter(query.projectId);
    if (projectIdProblem) problems.push(projectIdProblem);
    if (query.name !== undefined) {
      const unstorable = unstorableText("name", query.name);
      if (unstorable) problems.push(unstorable);
    }
    const [first, ...rest] = problems;
    if (first) throw new ValidationError([first, ...rest]);
    const now = this.clock.now();
    return {
      ...(query.projectId !== undefined && { projectId: normalizeId(query.projectId) }),
      ...(query.name !== undefined && query.name !== "" && { nameContains: query.name }),
      ...(within !== undefined && {
        expiring: { from: now, by: new Date(now.getTime() + within) },
      }),
    };
  }

  /**
   * The project that owns a token, when the caller's project may reach it (its own or a
   * subproject's); any other token is not found, wherever it is.
   */
  async ownerOf(callerProjectId: string, tokenId: string): Promise<string> {
    const record = await this.store.findTokenById(normalizeId(tokenId));
    if (record && record.projectId !== callerProjectId) {
      const owner = await this.store.findProject(record.projectId);
      if (owner?.parentId === callerProjectId) return record.projectId;
    }
    if (record?.projectId === callerProjectId) return callerProjectId;
    throw tokenNotFound(tokenId);
  }

  async getManaged(projectId: string, tokenId: string): Promise<ManagedToken> {
    const record = await this.store.findToken(projectId, normalizeId(tokenId));
    if (!record) throw tokenNotFound(tokenId);
    return managedToken(record, this.clock.now());
  }

  /**
   * A new token's record: a fresh id, and its secret sealed under the primary key, its digest
   * time-led when Tokenspace generated the secret (SecretVault).
   */
  #newRecord(
    projectId: string,
    fields: ReturnType<typeof validateTokenChanges>,
    secret: string,
    form: DigestForm,
    now: Date,
    settings?: NewTokenSettings,
  ): NewTokenRecord {
    const draft = {
      id: newId(),
      projectId,
      name: fields.name ?? "",
      permissions: fields.permissions ?? [],
    };
    return newTokenRecord(this.keyring, draft, secret, form, now, settings);
  }

  async #subprojectOf(projectId: string, subprojectId: string): Promise<string> {
    const subproject = await this.store.findProject(normalizeId(subprojectId));
    if (!subproject || subproject.parentId !== projectId) {
      throw new ValidationError([
        {
          code: "invalid_subproject_id",
          attribute: "subproject_id",
          message: `subproject_id ${subprojectId} is not a subproject of project ${projectId}. Use the sid of one of this project's subprojects, or leave subproject_id out to create the token for this project.`,
        },
      ]);
    }
    return subproject.id;
  }

  #reveal(record: TokenRecord): IssuedToken {
    return issued(record, this.keyring.open(record.sealedSecret, record.id));
  }
}

/** The summary's fields written out, not spread: a spread with a property added is V8's slow path. */
function issued(record: NewTokenRecord, secret: string): IssuedToken {
  return { id: record.id, name: record.name, permissions: record.permissions, token: secret };
}

function summary(record: TokenListing): TokenSummary {
  return { id: record.id, name: record.name, permissions: record.permissions };
}

/** How a new token starts: its lifecycle, and its limits (a refill's first period starts now). */
function startingSettings(
  lifecycle: { readonly enabled?: boolean; readonly expiresAt?: Date | null },
  limits: ValidLimitChanges,
  now: Date,
): NewTokenSettings {
  const usesRefill = limits.usesRefill ?? null;
  return {
    enabled: lifecycle.enabled,
    expiresAt: lifecycle.expiresAt,
    rateLimit: limits.rateLimit ?? null,
    usesRemaining: limits.usesRemaining ?? usesRefill?.amount ?? null,
    usesRefill,
    usesRefilledAt: usesRefill ? now : null,
  };
}

/** A token as the extension surface shows it at `now` (a refill due by then counts as made). */
function managedToken(record: Omit<ListedTokenRecord, "position">, now: Date): ManagedToken {
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  return {
    id: record.id,
    project_id: record.projectId,
    name: record.name,
    permissions: record.permissions,
    enabled: record.enabled,
    expires_at: iso(record.expiresAt),
    last_used_at: iso(record.lastUsedAt),
    created_at: record.createdAt.toISOString(),
    updated_at: record.updatedAt.toISOString(),
    previous_token_expires_at: iso(record.previousSecretExpiresAt),
    last_used_ip: record.lastUsedIp,
    rate_limit: rateLimitView(record.rateLimit),
    uses_remaining: usesAt(record, now),
    uses_refill: usesRefillView(record.usesRefill),
  };
}

function tokenTarget(record: NewTokenRecord): AuditTarget {
  return { type: "token", id: record.id, projectId: record.projectId };
}

function lifecycleFieldNames(lifecycle: { expiresAt?: unknown; enabled?: unknown }): string[] {
  return [
    ...(lifecycle.expiresAt !== undefined ? ["expires_at"] : []),
    ...(lifecycle.enabled !== undefined ? ["enabled"] : []),
  ];
}

function tokenNotFound(tokenId: string): NotFoundError {
  return new NotFoundError(`No API token with id ${tokenId} exists in this project.`);
}
