import pg from "pg";
import { redactDatabaseUrl } from "../database-url.js";
import {
  PROJECT_COLUMNS,
  type ProjectRow,
  storedPermissions,
  TOKEN_COLUMNS,
  type TokenRow,
  toProject,
  toToken,
} from "../rows.js";
import {
  type ListWindow,
  type NewProjectRecord,
  type NewTokenRecord,
  type ProjectRecord,
  type RevocationWatcher,
  type Store,
  StoreUnavailableError,
  type TokenChangeSet,
  type TokenRecord,
} from "../store.js";
import { classifyPostgresError } from "./postgres-errors.js";
import { POSTGRES_MIGRATIONS } from "./postgres-migrations.js";
import { RevocationListener } from "./revocation-listener.js";

export interface PostgresOptions {
  /** Most connections one node holds. */
  readonly poolSize: number;
  /** Longest a statement may run before it is cancelled (and the request answered 503). */
  readonly statementTimeoutMs: number;
  /** Longest to wait for a connection. */
  readonly connectTimeoutMs: number;
}

export const REVOCATION_CHANNEL = "tokenspace_revocations";
/** Key of the advisory lock that serializes migrations between nodes starting together. */
const MIGRATION_LOCK = 7_364_102_811;

const NOTIFY = `pg_notify('${REVOCATION_CHANNEL}', encode(secret_digest, 'base64'))`;

/**
 * The scale-out store: any number of stateless nodes on one PostgreSQL. Each statement commits
 * on its own (PostgreSQL's default synchronous commit makes it durable); a token update or
 * delete announces the token's digest on a channel every node listens to, in the same
 * statement, so the announcement is sent exactly when the change commits.
 */
export class PostgresStore implements Store {
  readonly #pool: pg.Pool;
  readonly #config: pg.PoolConfig;
  #listener: RevocationListener | undefined;

  private constructor(connectionString: string, options: PostgresOptions) {
    this.#config = {
      connectionString,
      max: options.poolSize,
      statement_timeout: options.statementTimeoutMs,
      query_timeout: options.statementTimeoutMs + 1000,
      connectionTimeoutMillis: options.connectTimeoutMs,
      application_name: "tokenspace",
    };
    this.#pool = new pg.Pool(this.#config);
    // An idle connection the server dropped: the pool discards it and opens a new one on demand.
    this.#pool.on("error", () => {});
  }

  /** Connects and applies pending migrations under an advisory lock. */
  static async open(connectionString: string, options: PostgresOptions): Promise<PostgresStore> {
    const store = new PostgresStore(connectionString, options);
    try {
      await store.#migrate();
      return store;
    } catch (error) {
      await store.close();
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreUnavailableError(
        `Cannot use the PostgreSQL database ${redactDatabaseUrl(connectionString)}: ${reason}`,
      );
    }
  }

  async ping(): Promise<void> {
    await this.#query("ping", "SELECT 1", []);
  }

  async close(): Promise<void> {
    await this.#listener?.stop();
    await this.#pool.end();
  }

  watchRevocations(watcher: RevocationWatcher): void {
    this.#listener = new RevocationListener(this.#config, REVOCATION_CHANNEL, watcher);
    this.#listener.start();
  }

  async readSetting(key: string): Promise<string | undefined> {
    const [row] = await this.#query<{ value: string }>(
      "read_setting",
      "SELECT value FROM settings WHERE key = $1",
      [key],
    );
    return row?.value;
  }

  async initSetting(key: string, value: string): Promise<string> {
    const [inserted] = await this.#query<{ value: string }>(
      "init_setting",
      "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING value",
      [key, value],
    );
    if (inserted) return inserted.value;
    // Another node's insert won; a statement of its own sees that row (the insert's snapshot,
    // taken before the winner committed, would not).
    const existing = await this.readSetting(key);
    if (existing === undefined) throw new Error(`setting ${key} vanished while being written`);
    return existing;
  }

  async insertProject(project: NewProjectRecord): Promise<ProjectRecord> {
    const [row] = await this.#query<ProjectRow>(
      "insert_project",
      `INSERT INTO projects (id, parent_id, friendly_name, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5) RETURNING ${PROJECT_COLUMNS}`,
      [project.id, project.parentId, project.friendlyName, project.createdAt, project.updatedAt],
    );
    return toProject(row as ProjectRow);
  }

  async findProject(id: string): Promise<ProjectRecord | undefined> {
    const [row] = await this.#query<ProjectRow>(
      "find_project",
      `SELECT ${PROJECT_COLUMNS} FROM projects WHERE id = $1`,
      [id],
    );
    return row && toProject(row);
  }

  async updateProject(
    id: string,
    changes: { readonly friendlyName: string; readonly updatedAt: Date },
  ): Promise<ProjectRecord | undefined> {
    const [row] = await this.#query<ProjectRow>(
      "update_project",
      `UPDATE projects SET friendly_name = $2, updated_at = $3 WHERE id = $1
       RETURNING ${PROJECT_COLUMNS}`,
      [id, changes.friendlyName, changes.updatedAt],
    );
    return row && toProject(row);
  }

  async listProjectFamily(
    projectId: string,
    window: ListWindow,
    friendlyName?: string,
  ): Promise<ProjectRecord[]> {
    const backwards = window.before !== undefined;
    const rows = await this.#query<ProjectRow>(
      backwards ? "list_projects_before" : "list_projects_after",
      `SELECT ${PROJECT_COLUMNS} FROM projects
       WHERE (id = $1 OR parent_id = $1) AND ($2::text IS NULL OR friendly_name = $2)
         AND position ${backwards ? "<" : ">"} $3
       ORDER BY position ${backwards ? "DESC" : "ASC"} LIMIT $4`,
      [projectId, friendlyName ?? null, window.before ?? window.after ?? 0, window.limit],
    );
    return (backwards ? rows.reverse() : rows).map(toProject);
  }

  async countProjects(): Promise<number> {
    const [row] = await this.#query<{ count: number }>(
      "count_projects",
      "SELECT count(*)::int AS count FROM projects",
      [],
    );
    return row?.count ?? 0;
  }

  async listProjects(): Promise<ProjectRecord[]> {
    const rows = await this.#query<ProjectRow>(
      "list_projects",
      `SELECT ${PROJECT_COLUMNS} FROM projects ORDER BY position`,
      [],
    );
    return rows.map(toProject);
  }

  async insertToken(token: NewTokenRecord): Promise<TokenRecord> {
    const [row] = await this.#query<TokenRow>(
      "insert_token",
      `INSERT INTO tokens (id, project_id, name, permissions, secret_digest, sealed_secret, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${TOKEN_COLUMNS}`,
      [
        token.id,
        token.projectId,
        token.name,
        storedPermissions(token.permissions),
        token.secretDigest,
        token.sealedSecret,
        token.createdAt,
        token.updatedAt,
      ],
    );
    return toToken(row as TokenRow);
  }

  async insertTokens(tokens: readonly NewTokenRecord[]): Promise<void> {
    await this.#query(
      "insert_tokens",
      `INSERT INTO tokens (id, project_id, name, permissions, secret_digest, sealed_secret, created_at, updated_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bytea[], $6::bytea[],
                            $7::timestamptz[], $8::timestamptz[])`,
      [
        tokens.map((token) => token.id),
        tokens.map((token) => token.projectId),
        tokens.map((token) => token.name),
        tokens.map((token) => storedPermissions(token.permissions)),
        tokens.map((token) => token.secretDigest),
        tokens.map((token) => token.sealedSecret),
        tokens.map((token) => token.createdAt),
        tokens.map((token) => token.updatedAt),
      ],
    );
  }

  async findToken(projectId: string, tokenId: string): Promise<TokenRecord | undefined> {
    const [row] = await this.#query<TokenRow>(
      "find_token",
      `SELECT ${TOKEN_COLUMNS} FROM tokens WHERE project_id = $1 AND id = $2`,
      [projectId, tokenId],
    );
    return row && toToken(row);
  }

  async findTokenByDigest(secretDigest: Buffer): Promise<TokenRecord | undefined> {
    const [row] = await this.#query<TokenRow>(
      "find_token_by_digest",
      `SELECT ${TOKEN_COLUMNS} FROM tokens WHERE secret_digest = $1`,
      [secretDigest],
    );
    return row && toToken(row);
  }

  async updateToken(
    projectId: string,
    tokenId: string,
    changes: TokenChangeSet,
  ): Promise<TokenRecord | undefined> {
    const [row] = await this.#query<TokenRow>(
      "update_token",
      `WITH updated AS (
         UPDATE tokens SET
           name = coalesce($3, name),
           permissions = coalesce($4, permissions),
           updated_at = $5
         WHERE project_id = $1 AND id = $2
         RETURNING ${TOKEN_COLUMNS}
       )
       SELECT ${TOKEN_COLUMNS}, ${NOTIFY} FROM updated`,
      [
        projectId,
        tokenId,
        changes.name ?? null,
        changes.permissions ? storedPermissions(changes.permissions) : null,
        changes.updatedAt,
      ],
    );
    return row && toToken(row);
  }

  async deleteToken(projectId: string, tokenId: string): Promise<TokenRecord | undefined> {
    const [row] = await this.#query<TokenRow>(
      "delete_token",
      `WITH deleted AS (
         DELETE FROM tokens WHERE project_id = $1 AND id = $2 RETURNING ${TOKEN_COLUMNS}
       )
       SELECT ${TOKEN_COLUMNS}, ${NOTIFY} FROM deleted`,
      [projectId, tokenId],
    );
    return row && toToken(row);
  }

  async listTokens(projectId: string, window: ListWindow): Promise<TokenRecord[]> {
    const backwards = window.before !== undefined;
    const rows = await this.#query<TokenRow>(
      backwards ? "list_tokens_before" : "list_tokens_after",
      `SELECT ${TOKEN_COLUMNS} FROM tokens WHERE project_id = $1 AND position ${backwards ? "<" : ">"} $2
       ORDER BY position ${backwards ? "DESC" : "ASC"} LIMIT $3`,
      [projectId, window.before ?? window.after ?? 0, window.limit],
    );
    return (backwards ? rows.reverse() : rows).map(toToken);
  }

  /** Runs one named (prepared once per connection) statement. */
  async #query<R extends pg.QueryResultRow>(
    name: string,
    text: string,
    values: unknown[],
  ): Promise<R[]> {
    try {
      return (await this.#pool.query<R>({ name, text, values })).rows;
    } catch (error) {
      throw classifyPostgresError(error);
    }
  }

  async #migrate(): Promise<void> {
    const client = await this.#pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const applied = new Set(
        (await client.query<{ version: number }>("SELECT version FROM schema_migrations")).rows.map(
          (row) => row.version,
        ),
      );
      for (const migration of POSTGRES_MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        await client.query(migration.sql);
        await client.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [
          migration.version,
          migration.name,
        ]);
      }
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
}
