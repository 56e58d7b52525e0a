import type { AuditAction } from "@tokenspace/contract";
import type { Actor } from "../../domain/actor.js";
import { type Announcement, announcement } from "../../domain/lifecycle-events.js";
import { isPermission, type Permission } from "../../domain/permissions.js";
import type {
  AuditRecord,
  DeliveryRecord,
  ListedTokenRecord,
  NewAuditRecord,
  NewProjectRecord,
  NewTokenRecord,
  ProjectChangeSet,
  ProjectRecord,
  TokenChangeSet,
  TokenListing,
  TokenRecord,
} from "../../domain/store.js";
import type { RateLimit, UsesRefill } from "../../domain/token-limits.js";

/**
 * The tables as both stores have them: the columns, the values a record is written with, and
 * how a row read back becomes a record. A new column is added here and in each dialect's
 * migrations, nowhere else.
 *
 * Values are written with times as Dates and flags as booleans, which each dialect encodes
 * (SQLite as epoch milliseconds and 1 or 0). Rows come back with positions as numbers (SQLite) or text
 * (PostgreSQL's bigint), times as epoch milliseconds or Dates, flags as 1/0 or booleans.
 */
export type ColumnValue = string | number | boolean | Buffer | Date | null;

export interface ProjectRow {
  position: number | string;
  id: string;
  parent_id: string | null;
  friendly_name: string;
  signing_key_digest: Buffer | null;
  sealed_signing_key: Buffer | null;
  created_at: number | Date;
  updated_at: number | Date;
}

export interface TokenRow {
  position: number | string;
  id: string;
  project_id: string;
  name: string;
  permissions: string;
  secret_digest: Buffer;
  sealed_secret: Buffer;
  created_at: number | Date;
  updated_at: number | Date;
  enabled: number | boolean;
  expires_at: number | Date | null;
  last_used_at: number | Date | null;
  previous_secret_digest: Buffer | null;
  previous_sealed_secret: Buffer | null;
  previous_secret_expires_at: number | Date | null;
  expiry_recorded: number | boolean;
  last_used_ip: string | null;
  rate_limit: number | null;
  rate_window_ms: number | null;
  uses_remaining: number | string | null;
  uses_refill_amount: number | string | null;
  uses_refill_every_ms: number | string | null;
  uses_refilled_at: number | Date | null;
}

export interface DeliveryRow {
  position: number | string;
  id: string;
  type: string;
  project_id: string;
  payload: string;
  created_at: number | Date;
  attempts: number;
  next_attempt_at: number | Date;
  delivered_at: number | Date | null;
  failed_at: number | Date | null;
  last_error: string | null;
}

export interface AuditRow {
  position: number | string;
  action: string;
  project_id: string | null;
  target_type: string;
  target_id: string | null;
  actor_project_id: string | null;
  actor_token_id: string | null;
  request_id: string | null;
  client_address: string | null;
  details: string;
  occurred_at: number | Date;
}

/**
 * A table as the statements see it: the columns a new row is written with (`position` is
 * assigned by the database), the columns an update may change (a null keeps the value), those
 * it may also set to null (each with a `…_given` flag), and the select list.
 */
interface Table<Written extends string, Changed extends string> {
  readonly name: string;
  readonly written: readonly Written[];
  readonly changed: readonly Changed[];
  readonly clearable: readonly Changed[];
  readonly selectList: string;
}

function table<const Written extends string, const Changed extends Written>(
  name: string,
  written: readonly Written[],
  changed: readonly Changed[],
  clearable: readonly Changed[] = [],
): Table<Written, Changed> {
  return {
    name,
    written,
    changed,
    clearable,
    selectList: ["position", ...written].join(", "),
  };
}

export const givenFlag = (column: string) => `${column}_given`;

export const PROJECTS = table(
  "projects",
  [
    "id",
    "parent_id",
    "friendly_name",
    "signing_key_digest",
    "sealed_signing_key",
    "created_at",
    "updated_at",
  ] satisfies (keyof ProjectRow)[],
  ["friendly_name", "updated_at"],
);

/** A token's limits: each pair or triple is set, or cleared, together. */
const LIMIT_COLUMNS = [
  "rate_limit",
  "rate_window_ms",
  "uses_remaining",
  "uses_refill_amount",
  "uses_refill_every_ms",
  "uses_refilled_at",
] as const;

/** The columns every new token is written with; the schema gives the others their defaults. */
const ISSUED_TOKEN_COLUMNS = [
  "id",
  "project_id",
  "name",
  "permissions",
  "secret_digest",
  "sealed_secret",
  "created_at",
  "updated_at",
] as const satisfies (keyof TokenRow)[];

export const TOKENS = table(
  "tokens",
  [
    ...ISSUED_TOKEN_COLUMNS,
    "enabled",
    "expires_at",
    "last_used_at",
    "previous_secret_digest",
    "previous_sealed_secret",
    "previous_secret_expires_at",
    "expiry_recorded",
    "last_used_ip",
    ...LIMIT_COLUMNS,
  ] satisfies (keyof TokenRow)[],
  [
    "name",
    "permissions",
    "updated_at",
    "enabled",
    "expiry_recorded",
    "expires_at",
    ...LIMIT_COLUMNS,
  ],
  ["expires_at", ...LIMIT_COLUMNS],
);

/** A new token's row as far as ISSUED_TOKEN_COLUMNS: an insert that leaves the rest to the schema. */
export const ISSUED_TOKENS = table("tokens", ISSUED_TOKEN_COLUMNS, []);

/** The schema's defaults for the token columns whose default is not null. */
const TOKEN_COLUMN_DEFAULTS: Readonly<Record<string, ColumnValue>> = {
  enabled: true,
  expiry_recorded: false,
};

/** Each token column outside ISSUED_TOKEN_COLUMNS, with the value the schema defaults it to. */
const DEFAULTED_TOKEN_COLUMNS = TOKENS.written
  .filter((column) => !(ISSUED_TOKEN_COLUMNS as readonly string[]).includes(column))
  .map((column) => ({ column, value: TOKEN_COLUMN_DEFAULTS[column] ?? null }));

/**
 * Whether a new token's values leave every column outside ISSUED_TOKEN_COLUMNS at its default (no
 * expiry, limit, past use or rerolled secret; enabled), as a create through the Tokens API does:
 * its insert then names those 8 columns and binds 8 values rather than 22, most of them null. A
 * column added later is written by the full insert until its default is listed here.
 */
export function leavesDefaults(values: Values<typeof TOKENS>): boolean {
  return DEFAULTED_TOKEN_COLUMNS.every(({ column, value }) => values[column] === value);
}

/** The webhook outbox: what is written with an announcement; attempts change the rest. */
export const OUTBOX = table(
  "webhook_outbox",
  [
    "id",
    "type",
    "project_id",
    "payload",
    "created_at",
    "attempts",
    "next_attempt_at",
    "delivered_at",
    "failed_at",
    "last_error",
  ] satisfies (keyof DeliveryRow)[],
  [],
);

/** A new announcement is due at once (the epoch), and no attempt has been made. */
const NOT_YET_ATTEMPTED = {
  attempts: 0,
  next_attempt_at: new Date(0),
  delivered_at: null,
  failed_at: null,
  last_error: null,
};

function outboxValues(announced: Announcement): Values<typeof OUTBOX> {
  const { id, type, projectId, payload, createdAt } = announced;
  return { id, type, project_id: projectId, payload, created_at: createdAt, ...NOT_YET_ATTEMPTED };
}

/** The outbox row announcing `audit`'s event for the token row it changed, if it announces one. */
export function announcedValues(
  audit: Pick<NewAuditRecord, "announces" | "occurredAt">,
  row: Pick<TokenRow, "id" | "project_id" | "name">,
): Values<typeof OUTBOX> | undefined {
  if (audit.announces === undefined) return undefined;
  const token = { id: row.id, projectId: row.project_id, name: row.name };
  return outboxValues(announcement(audit.announces, token, audit.occurredAt));
}

export function toDelivery(row: DeliveryRow): DeliveryRecord {
  return {
    id: row.id,
    type: row.type as DeliveryRecord["type"],
    projectId: row.project_id,
    payload: row.payload,
    createdAt: new Date(row.created_at),
    attempts: Number(row.attempts),
    nextAttemptAt: new Date(row.next_attempt_at),
    deliveredAt: optionalDate(row.delivered_at),
    failedAt: optionalDate(row.failed_at),
    lastError: row.last_error,
  };
}

/** The columns a list reads: never a secret's digest or ciphertext, which no list shows. */
const SECRET_COLUMNS = new Set([
  "secret_digest",
  "sealed_secret",
  "previous_secret_digest",
  "previous_sealed_secret",
]);
export const LISTED_TOKEN_COLUMNS = ["position", ...TOKENS.written]
  .filter((column) => !SECRET_COLUMNS.has(column))
  .join(", ");

/**
 * What a token insert reads back: the position the database gave it, and what its announcement
 * names. Reading back every column, the secret's digest and ciphertext included, was a tenth of
 * a create's write.
 */
export const INSERTED_TOKEN_COLUMNS = "position, id, project_id, name";
export type InsertedTokenRow = Pick<TokenRow, "position" | "id" | "project_id" | "name">;

/** The columns the Tokens API's list pages read (see TokenListing). */
export const TOKEN_LISTING_COLUMNS = "position, id, name, permissions";
export type TokenListingRow = Pick<TokenRow, "position" | "id" | "name" | "permissions">;

export function toTokenListing(row: TokenListingRow): TokenListing {
  return {
    id: row.id,
    name: row.name,
    permissions: permissionsRead(row.permissions),
    position: Number(row.position),
  };
}

export type ListedTokenRow = Omit<
  TokenRow,
  "secret_digest" | "sealed_secret" | "previous_secret_digest" | "previous_sealed_secret"
>;

export const AUDIT = table(
  "audit_events",
  [
    "action",
    "project_id",
    "target_type",
    "target_id",
    "actor_project_id",
    "actor_token_id",
    "request_id",
    "client_address",
    "details",
    "occurred_at",
  ] satisfies (keyof AuditRow)[],
  [],
);

/**
 * The audit entry of a passed expiry, as a select list over a tokens row: recorded by whichever
 * node claims it, with no actor and the expiry itself as the time.
 */
export const EXPIRED_TOKEN_AUDIT = `INSERT INTO audit_events (${AUDIT.written.join(", ")})
  SELECT 'token.expired', project_id, 'token', id, NULL, NULL, NULL, NULL, '{}', expires_at`;

type Values<T> = T extends Table<infer Written, infer _> ? Record<Written, ColumnValue> : never;
type Changes = Readonly<Record<string, ColumnValue>>;

export function projectValues(project: NewProjectRecord): Values<typeof PROJECTS> {
  return {
    id: project.id,
    parent_id: project.parentId,
    friendly_name: project.friendlyName,
    signing_key_digest: project.signingKeyDigest,
    sealed_signing_key: project.sealedSigningKey,
    created_at: project.createdAt,
    updated_at: project.updatedAt,
  };
}

/**
 * A new token's row. Spelled out as one literal, limits included (rateLimitValues and
 * usesRefillValues say the same for changes): spreads inside it made V8 add every property
 * after them one by one, on every create.
 */
export function tokenValues(token: NewTokenRecord): Values<typeof TOKENS> {
  return {
    id: token.id,
    project_id: token.projectId,
    name: token.name,
    permissions: storedPermissions(token.permissions),
    secret_digest: token.secretDigest,
    sealed_secret: token.sealedSecret,
    created_at: token.createdAt,
    updated_at: token.updatedAt,
    enabled: token.enabled,
    expires_at: token.expiresAt,
    last_used_at: token.lastUsedAt,
    previous_secret_digest: token.previousSecretDigest,
    previous_sealed_secret: token.previousSealedSecret,
    previous_secret_expires_at: token.previousSecretExpiresAt,
    expiry_recorded: token.expiryRecorded,
    last_used_ip: token.lastUsedIp,
    rate_limit: token.rateLimit?.limit ?? null,
    rate_window_ms: token.rateLimit?.windowMs ?? null,
    uses_remaining: token.usesRemaining,
    uses_refill_amount: token.usesRefill?.amount ?? null,
    uses_refill_every_ms: token.usesRefill?.everyMs ?? null,
    uses_refilled_at: token.usesRefill ? token.usesRefilledAt : null,
  };
}

function rateLimitValues(rateLimit: RateLimit | null) {
  return { rate_limit: rateLimit?.limit ?? null, rate_window_ms: rateLimit?.windowMs ?? null };
}

function usesRefillValues(refill: UsesRefill | null, refilledAt: Date | null) {
  return {
    uses_refill_amount: refill?.amount ?? null,
    uses_refill_every_ms: refill?.everyMs ?? null,
    uses_refilled_at: refill ? refilledAt : null,
  };
}

/** The columns an update writes; `null` keeps the stored value. */
export function projectChangeValues(changes: ProjectChangeSet): Changes {
  return { friendly_name: changes.friendlyName, updated_at: changes.updatedAt };
}

/**
 * A new expiry also makes it due to be recorded again when it passes. Uses set to null (unlimited)
 * take their refill with them, and a new refill starts its period now.
 */
export function tokenChangeValues(changes: TokenChangeSet): Changes {
  const { rateLimit, usesRemaining, updatedAt } = changes;
  const usesRefill = usesRemaining === null ? null : changes.usesRefill;
  return {
    name: changes.name ?? null,
    permissions: changes.permissions ? storedPermissions(changes.permissions) : null,
    updated_at: updatedAt,
    enabled: changes.enabled ?? null,
    expiry_recorded: changes.expiresAt === undefined ? null : false,
    ...given("expires_at", changes.expiresAt),
    ...(rateLimit === undefined
      ? notGiven(rateLimitValues(null))
      : givenAll(rateLimitValues(rateLimit))),
    ...given("uses_remaining", usesRemaining),
    ...(usesRefill === undefined
      ? notGiven(usesRefillValues(null, null))
      : givenAll(usesRefillValues(usesRefill, updatedAt))),
  };
}

/** A clearable column's value and its `…_given` flag. */
function given(column: string, value: ColumnValue | undefined): Changes {
  return { [givenFlag(column)]: value !== undefined, [column]: value ?? null };
}

const givenAll = (values: Changes): Changes =>
  Object.assign({}, ...Object.entries(values).map(([column, value]) => given(column, value)));
const notGiven = (values: Changes): Changes =>
  Object.assign({}, ...Object.keys(values).map((column) => given(column, undefined)));

/** Permissions are stored as one comma-separated text column, in canonical order. */
function storedPermissions(permissions: readonly string[]): string {
  return permissions.join(",");
}

export function toProject(row: ProjectRow): ProjectRecord {
  return {
    id: row.id,
    parentId: row.parent_id,
    friendlyName: row.friendly_name,
    signingKeyDigest: row.signing_key_digest,
    sealedSigningKey: row.sealed_signing_key,
    position: Number(row.position),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export function toListedToken(row: ListedTokenRow): ListedTokenRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    permissions: permissionsRead(row.permissions),
    position: Number(row.position),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    enabled: Boolean(row.enabled),
    expiresAt: optionalDate(row.expires_at),
    lastUsedAt: optionalDate(row.last_used_at),
    previousSecretExpiresAt: optionalDate(row.previous_secret_expires_at),
    expiryRecorded: Boolean(row.expiry_recorded),
    lastUsedIp: row.last_used_ip,
    rateLimit:
      row.rate_limit === null || row.rate_window_ms === null
        ? null
        : { limit: Number(row.rate_limit), windowMs: Number(row.rate_window_ms) },
    usesRemaining: optionalNumber(row.uses_remaining),
    usesRefill:
      row.uses_refill_amount === null || row.uses_refill_every_ms === null
        ? null
        : { amount: Number(row.uses_refill_amount), everyMs: Number(row.uses_refill_every_ms) },
    usesRefilledAt: optionalDate(row.uses_refilled_at),
  };
}

/**
 * Permissions as read back from their comma-separated column. Stored lists, read: a store holds few distinct ones (each a set of eleven names in
 * canonical order), and a list page reads fifty, so each is parsed once. Bounded all the same,
 * for a database edited by hand. Callers get their own copy.
 */
const PERMISSIONS_READ = new Map<string, readonly Permission[]>();
const PERMISSIONS_READ_HELD = 4096;

function permissionsRead(stored: string): Permission[] {
  let read = PERMISSIONS_READ.get(stored);
  if (read === undefined) {
    read = stored.split(",").filter(isPermission);
    if (PERMISSIONS_READ.size < PERMISSIONS_READ_HELD) PERMISSIONS_READ.set(stored, read);
  }
  return read.slice();
}

/** PostgreSQL's bigint comes back as text. */
function optionalNumber(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}

export function toToken(row: TokenRow): TokenRecord {
  return {
    ...toListedToken(row),
    secretDigest: row.secret_digest,
    sealedSecret: row.sealed_secret,
    previousSecretDigest: row.previous_secret_digest,
    previousSealedSecret: row.previous_sealed_secret,
  };
}

export function toAudit(row: AuditRow): AuditRecord {
  return {
    position: Number(row.position),
    action: row.action as AuditAction,
    projectId: row.project_id,
    targetType: row.target_type as AuditRecord["targetType"],
    targetId: row.target_id,
    actor: {
      projectId: row.actor_project_id,
      tokenId: row.actor_token_id,
      requestId: row.request_id,
      clientAddress: row.client_address,
    },
    details: JSON.parse(row.details) as Record<string, unknown>,
    occurredAt: new Date(row.occurred_at),
  };
}

function optionalDate(value: number | Date | null): Date | null {
  return value === null ? null : new Date(value);
}

/** `@column` for each column a row is inserted with. */
const named = (column: string) => `@${column}`;

/**
 * `INSERT INTO … (written columns) VALUES (@column, …) RETURNING select list`; without the
 * RETURNING clause for a row nobody reads back (an audit entry), and with `prefix` on each
 * parameter's name where the statement has other parameters of the same names.
 */
export function insertSql(
  into: Table<string, string>,
  {
    returning = into.selectList,
    prefix = "",
  }: { readonly returning?: string | false; readonly prefix?: string } = {},
): string {
  return `INSERT INTO ${into.name} (${into.written.join(", ")})
    VALUES (${into.written.map((column) => named(prefix + column)).join(", ")})${returning ? ` RETURNING ${returning}` : ""}`;
}

/**
 * `column = coalesce(@column, column), …` for the columns an update may change: null keeps what
 * is stored. `computed` gives columns an expression of their own instead; `given` says where a
 * change's value (`column`) and flag (`column_given`) come from, parameters by default.
 */
export function assignmentsSql(
  of: Table<string, string>,
  computed: Readonly<Record<string, string>> = {},
  given: (name: string) => string = named,
): string {
  return [
    ...of.changed
      .filter((column) => !of.clearable.includes(column))
      .map(
        (column) => `${column} = ${computed[column] ?? `coalesce(${given(column)}, ${column})`}`,
      ),
    ...of.clearable.map(
      (column) =>
        `${column} = CASE WHEN ${given(givenFlag(column))} THEN ${given(column)} ELSE ${column} END`,
    ),
  ].join(", ");
}

/**
 * `@actor_token_id` and `@actor_version` of a write whose actor is to be confirmed in the store
 * (Actor.unconfirmedTokenVersion); undefined when it need not be.
 */
export function unconfirmedActor(
  actor: Actor,
): { readonly actor_token_id: string; readonly actor_version: Date } | undefined {
  const version = actor.unconfirmedTokenVersion;
  return version === undefined || actor.tokenId === null
    ? undefined
    : { actor_token_id: actor.tokenId, actor_version: version };
}

/** A statement's `@actor_token_id` and `@actor_version` (see actorConfirmed): null for none. */
export function actorCondition(actor: Actor): {
  readonly actor_token_id: string | null;
  readonly actor_version: Date | null;
} {
  return unconfirmedActor(actor) ?? { actor_token_id: null, actor_version: null };
}

/**
 * An audit entry's values named `audit_<column>`, as `insertSql(AUDIT, { prefix: "audit_" })`
 * takes them: the statements that write one with its change also have parameters of the same
 * column names. Spelled out as one literal: every write builds one.
 */
export function auditParameters(entry: NewAuditRecord): {
  [Column in keyof Values<typeof AUDIT> as `audit_${Column}`]: ColumnValue;
} {
  return {
    audit_action: entry.action,
    audit_project_id: entry.projectId,
    audit_target_type: entry.targetType,
    audit_target_id: entry.targetId,
    audit_actor_project_id: entry.actor.projectId,
    audit_actor_token_id: entry.actor.tokenId,
    audit_request_id: entry.actor.requestId,
    audit_client_address: entry.actor.clientAddress,
    audit_details: JSON.stringify(entry.details),
    audit_occurred_at: entry.occurredAt,
  };
}
