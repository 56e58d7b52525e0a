import { isPermission } from "../domain/permissions.js";
import type {
  NewProjectRecord,
  NewTokenRecord,
  ProjectChangeSet,
  ProjectRecord,
  TokenChangeSet,
  TokenRecord,
} from "../domain/store.js";

/**
 * The tables as both stores have them: the columns, the values a record is written with, and
 * how a row read back becomes a record. A new column is added here and in each dialect's
 * migrations, nowhere else.
 *
 * Values are written with times as Dates; SQLite's store turns them into epoch milliseconds.
 * Rows come back with positions as numbers (SQLite) or text (PostgreSQL's bigint) and times as
 * epoch milliseconds or Dates.
 */
export type ColumnValue = string | number | Buffer | Date | null;

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
}

/**
 * A table as the statements see it: the columns a new row is written with (`position` is
 * assigned by the database), the columns an update may change, and the select list.
 */
interface Table<Written extends string, Changed extends string> {
  readonly name: string;
  readonly written: readonly Written[];
  readonly changed: readonly Changed[];
  readonly selectList: string;
}

function table<const Written extends string, const Changed extends Written>(
  name: string,
  written: readonly Written[],
  changed: readonly Changed[],
): Table<Written, Changed> {
  return { name, written, changed, selectList: ["position", ...written].join(", ") };
}

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

export const TOKENS = table(
  "tokens",
  [
    "id",
    "project_id",
    "name",
    "permissions",
    "secret_digest",
    "sealed_secret",
    "created_at",
    "updated_at",
  ] satisfies (keyof TokenRow)[],
  ["name", "permissions", "updated_at"],
);

type Values<T> = T extends Table<infer Written, infer _> ? Record<Written, ColumnValue> : never;
type Changes<T> = T extends Table<infer _, infer Changed> ? Record<Changed, ColumnValue> : never;

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
  };
}

/** The columns an update writes; `null` keeps the stored value. */
export function projectChangeValues(changes: ProjectChangeSet): Changes<typeof PROJECTS> {
  return { friendly_name: changes.friendlyName, updated_at: changes.updatedAt };
}

export function tokenChangeValues(changes: TokenChangeSet): Changes<typeof TOKENS> {
  return {
    name: changes.name ?? null,
    permissions: changes.permissions ? storedPermissions(changes.permissions) : null,
    updated_at: changes.updatedAt,
  };
}

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

export function toToken(row: TokenRow): TokenRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    permissions: row.permissions.split(",").filter(isPermission),
    secretDigest: row.secret_digest,
    sealedSecret: row.sealed_secret,
    position: Number(row.position),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

type Placeholder = (column: string, index: number) => string;

/** `INSERT INTO … (written columns) VALUES (placeholders) RETURNING select list`. */
export function insertSql(into: Table<string, string>, placeholder: Placeholder): string {
  return `INSERT INTO ${into.name} (${into.written.join(", ")})
    VALUES (${into.written.map(placeholder).join(", ")}) RETURNING ${into.selectList}`;
}

/**
 * `column = coalesce(placeholder, column), …` for the columns an update may change: a null
 * value keeps what is stored. Placeholders are numbered after `offset` leading parameters.
 */
export function assignmentsSql(
  of: Table<string, string>,
  placeholder: Placeholder,
  offset = 0,
): string {
  return of.changed
    .map(
      (column, index) => `${column} = coalesce(${placeholder(column, offset + index)}, ${column})`,
    )
    .join(", ");
}

/** Values in the order of a column list, for positional placeholders. */
export function inColumnOrder(
  columns: readonly string[],
  values: Readonly<Record<string, ColumnValue>>,
): ColumnValue[] {
  return columns.map((column) => values[column] ?? null);
}
