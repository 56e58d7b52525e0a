import { isPermission } from "../domain/permissions.js";
import type { ProjectRecord, TokenRecord } from "./store.js";

/**
 * Rows as both stores return them: SQLite gives positions as numbers and times as epoch
 * milliseconds, PostgreSQL gives positions (bigint) as text and times as Dates. The tables and
 * their columns are the same in both.
 */
export interface ProjectRow {
  position: number | string;
  id: string;
  parent_id: string | null;
  friendly_name: string;
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

export const PROJECT_COLUMNS = "position, id, parent_id, friendly_name, created_at, updated_at";
export const TOKEN_COLUMNS =
  "position, id, project_id, name, permissions, secret_digest, sealed_secret, created_at, updated_at";

/** Permissions are stored as one comma-separated text column, in canonical order. */
export function storedPermissions(permissions: readonly string[]): string {
  return permissions.join(",");
}

export function toProject(row: ProjectRow): ProjectRecord {
  return {
    id: row.id,
    parentId: row.parent_id,
    friendlyName: row.friendly_name,
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
