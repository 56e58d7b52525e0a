import type { Permission } from "../domain/permissions.js";

export interface ProjectRecord {
  readonly id: string;
  /** The parent project's id for a subproject, null for a top-level project. */
  readonly parentId: string | null;
  readonly friendlyName: string;
  /** Insertion order within the store; lists page by it. */
  readonly position: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type NewProjectRecord = Omit<ProjectRecord, "position">;

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
}

export type NewTokenRecord = Omit<TokenRecord, "position">;

export interface TokenChangeSet {
  readonly name?: string;
  readonly permissions?: Permission[];
  readonly updatedAt: Date;
}

/** A window of a list in position order: after one position or before one. */
export interface ListWindow {
  readonly after?: number;
  readonly before?: number;
  readonly limit: number;
}

/**
 * Everything Tokenspace keeps. Implementations: `sqlite/sqlite-store.ts` (embedded default)
 * and, later, PostgreSQL. An implementation is opened with its migrations applied, and every
 * write resolves only once it is durable.
 */
export interface Store {
  /** Resolves when the store answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;

  readSetting(key: string): Promise<string | undefined>;
  /** Writes the setting unless one is already there; returns the value now stored. */
  initSetting(key: string, value: string): Promise<string>;

  insertProject(project: NewProjectRecord): Promise<ProjectRecord>;
  findProject(id: string): Promise<ProjectRecord | undefined>;
  /** Renames a project; undefined when it does not exist. */
  updateProject(
    id: string,
    changes: { readonly friendlyName: string; readonly updatedAt: Date },
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

  insertToken(token: NewTokenRecord): Promise<TokenRecord>;
  findToken(projectId: string, tokenId: string): Promise<TokenRecord | undefined>;
  findTokenByDigest(secretDigest: Buffer): Promise<TokenRecord | undefined>;
  /** Applies all changes at once or none; undefined when the token is not in that project. */
  updateToken(
    projectId: string,
    tokenId: string,
    changes: TokenChangeSet,
  ): Promise<TokenRecord | undefined>;
  /** Returns the deleted token, or undefined when it was not in that project. */
  deleteToken(projectId: string, tokenId: string): Promise<TokenRecord | undefined>;
  /** Tokens of one project in ascending position order. */
  listTokens(projectId: string, window: ListWindow): Promise<TokenRecord[]>;
}
