import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
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
  type Store,
  StoreConflictError,
  type TokenChangeSet,
  type TokenRecord,
} from "../store.js";
import { SQLITE_MIGRATIONS } from "./sqlite-migrations.js";
import { SqliteWriteBatcher } from "./sqlite-write-batcher.js";

const PROJECT_FAMILY = `(id = @project_id OR parent_id = @project_id)
  AND (@friendly_name IS NULL OR friendly_name = @friendly_name)`;

/**
 * The embedded store: one SQLite file in WAL mode with `synchronous = FULL`, so a commit has
 * been fsynced before any write resolves. Reads run straight on the connection; writes go
 * through the group-commit batcher.
 */
export class SqliteStore implements Store {
  readonly #db: Database.Database;
  readonly #writes: SqliteWriteBatcher;
  readonly #statements;

  constructor(readonly filename: string) {
    if (filename !== ":memory:") mkdirSync(dirname(filename), { recursive: true });
    this.#db = new Database(filename);
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = FULL");
    this.#db.pragma("foreign_keys = ON");
    this.#db.pragma("busy_timeout = 5000");
    this.#applyMigrations();
    this.#writes = new SqliteWriteBatcher(this.#db);
    const db = this.#db;
    this.#statements = {
      ping: db.prepare("SELECT 1"),
      readSetting: db.prepare<[string], { value: string }>(
        "SELECT value FROM settings WHERE key = ?",
      ),
      initSetting: db.prepare(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
      ),
      insertProject: db.prepare(
        `INSERT INTO projects (id, parent_id, friendly_name, created_at, updated_at)
         VALUES (@id, @parent_id, @friendly_name, @created_at, @updated_at)
         RETURNING ${PROJECT_COLUMNS}`,
      ),
      findProject: db.prepare<[string], ProjectRow>(
        `SELECT ${PROJECT_COLUMNS} FROM projects WHERE id = ?`,
      ),
      updateProject: db.prepare(
        `UPDATE projects SET friendly_name = @friendly_name, updated_at = @updated_at
         WHERE id = @id RETURNING ${PROJECT_COLUMNS}`,
      ),
      listProjectFamilyAfter: db.prepare(
        `SELECT ${PROJECT_COLUMNS} FROM projects WHERE ${PROJECT_FAMILY} AND position > @position
         ORDER BY position ASC LIMIT @limit`,
      ),
      listProjectFamilyBefore: db.prepare(
        `SELECT ${PROJECT_COLUMNS} FROM projects WHERE ${PROJECT_FAMILY} AND position < @position
         ORDER BY position DESC LIMIT @limit`,
      ),
      countProjects: db.prepare<[], { count: number }>("SELECT count(*) AS count FROM projects"),
      listProjects: db.prepare<[], ProjectRow>(
        `SELECT ${PROJECT_COLUMNS} FROM projects ORDER BY position`,
      ),
      insertToken: db.prepare(
        `INSERT INTO tokens (id, project_id, name, permissions, secret_digest, sealed_secret, created_at, updated_at)
         VALUES (@id, @project_id, @name, @permissions, @secret_digest, @sealed_secret, @created_at, @updated_at)
         RETURNING ${TOKEN_COLUMNS}`,
      ),
      findToken: db.prepare<[string, string], TokenRow>(
        `SELECT ${TOKEN_COLUMNS} FROM tokens WHERE project_id = ? AND id = ?`,
      ),
      findTokenByDigest: db.prepare<[Buffer], TokenRow>(
        `SELECT ${TOKEN_COLUMNS} FROM tokens WHERE secret_digest = ?`,
      ),
      updateToken: db.prepare(
        `UPDATE tokens SET
           name = coalesce(@name, name),
           permissions = coalesce(@permissions, permissions),
           updated_at = @updated_at
         WHERE project_id = @project_id AND id = @id
         RETURNING ${TOKEN_COLUMNS}`,
      ),
      deleteToken: db.prepare(
        `DELETE FROM tokens WHERE project_id = ? AND id = ? RETURNING ${TOKEN_COLUMNS}`,
      ),
      listTokensAfter: db.prepare<[string, number, number], TokenRow>(
        `SELECT ${TOKEN_COLUMNS} FROM tokens WHERE project_id = ? AND position > ?
         ORDER BY position ASC LIMIT ?`,
      ),
      listTokensBefore: db.prepare<[string, number, number], TokenRow>(
        `SELECT ${TOKEN_COLUMNS} FROM tokens WHERE project_id = ? AND position < ?
         ORDER BY position DESC LIMIT ?`,
      ),
    };
  }

  async ping(): Promise<void> {
    this.#statements.ping.get();
  }

  async close(): Promise<void> {
    this.#writes.flush();
    this.#db.close();
  }

  /**
   * Nothing to watch: the embedded store has one server process, whose own changes invalidate
   * its cache directly; the cache lifetime bounds what the CLI changes beside it.
   */
  watchRevocations(): void {}

  async readSetting(key: string): Promise<string | undefined> {
    return this.#statements.readSetting.get(key)?.value;
  }

  async initSetting(key: string, value: string): Promise<string> {
    return this.#write(() => {
      this.#statements.initSetting.run(key, value);
      return this.#statements.readSetting.get(key)?.value ?? value;
    });
  }

  async insertProject(project: NewProjectRecord): Promise<ProjectRecord> {
    return this.#write(() =>
      toProject(
        this.#statements.insertProject.get({
          id: project.id,
          parent_id: project.parentId,
          friendly_name: project.friendlyName,
          created_at: project.createdAt.getTime(),
          updated_at: project.updatedAt.getTime(),
        }) as ProjectRow,
      ),
    );
  }

  async findProject(id: string): Promise<ProjectRecord | undefined> {
    const row = this.#statements.findProject.get(id);
    return row && toProject(row);
  }

  async updateProject(
    id: string,
    changes: { readonly friendlyName: string; readonly updatedAt: Date },
  ): Promise<ProjectRecord | undefined> {
    return this.#write(() => {
      const row = this.#statements.updateProject.get({
        id,
        friendly_name: changes.friendlyName,
        updated_at: changes.updatedAt.getTime(),
      }) as ProjectRow | undefined;
      return row && toProject(row);
    });
  }

  async listProjectFamily(
    projectId: string,
    window: ListWindow,
    friendlyName?: string,
  ): Promise<ProjectRecord[]> {
    const backwards = window.before !== undefined;
    const statement = backwards
      ? this.#statements.listProjectFamilyBefore
      : this.#statements.listProjectFamilyAfter;
    const rows = statement.all({
      project_id: projectId,
      friendly_name: friendlyName ?? null,
      position: window.before ?? window.after ?? 0,
      limit: window.limit,
    }) as ProjectRow[];
    return (backwards ? rows.reverse() : rows).map(toProject);
  }

  async countProjects(): Promise<number> {
    return this.#statements.countProjects.get()?.count ?? 0;
  }

  async listProjects(): Promise<ProjectRecord[]> {
    return this.#statements.listProjects.all().map(toProject);
  }

  async insertToken(token: NewTokenRecord): Promise<TokenRecord> {
    return this.#write(() =>
      toToken(this.#statements.insertToken.get(tokenRow(token)) as TokenRow),
    );
  }

  async insertTokens(tokens: readonly NewTokenRecord[]): Promise<void> {
    await this.#write(() => {
      for (const token of tokens) this.#statements.insertToken.get(tokenRow(token));
    });
  }

  async findToken(projectId: string, tokenId: string): Promise<TokenRecord | undefined> {
    const row = this.#statements.findToken.get(projectId, tokenId);
    return row && toToken(row);
  }

  async findTokenByDigest(secretDigest: Buffer): Promise<TokenRecord | undefined> {
    const row = this.#statements.findTokenByDigest.get(secretDigest);
    return row && toToken(row);
  }

  async updateToken(
    projectId: string,
    tokenId: string,
    changes: TokenChangeSet,
  ): Promise<TokenRecord | undefined> {
    return this.#write(() => {
      const row = this.#statements.updateToken.get({
        project_id: projectId,
        id: tokenId,
        name: changes.name ?? null,
        permissions: changes.permissions ? storedPermissions(changes.permissions) : null,
        updated_at: changes.updatedAt.getTime(),
      }) as TokenRow | undefined;
      return row && toToken(row);
    });
  }

  async deleteToken(projectId: string, tokenId: string): Promise<TokenRecord | undefined> {
    return this.#write(() => {
      const row = this.#statements.deleteToken.get(projectId, tokenId) as TokenRow | undefined;
      return row && toToken(row);
    });
  }

  async listTokens(projectId: string, window: ListWindow): Promise<TokenRecord[]> {
    if (window.before !== undefined) {
      const rows = this.#statements.listTokensBefore.all(projectId, window.before, window.limit);
      return rows.reverse().map(toToken);
    }
    const rows = this.#statements.listTokensAfter.all(projectId, window.after ?? 0, window.limit);
    return rows.map(toToken);
  }

  /** Runs under an immediate (write-locked) transaction, so two processes never race a migration. */
  /** Queues a write for the next group commit; a unique-constraint failure is a conflict. */
  async #write<T>(work: () => T): Promise<T> {
    try {
      return await this.#writes.run(work);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
        throw new StoreConflictError((error as Error).message);
      }
      throw error;
    }
  }

  #applyMigrations(): void {
    const apply = this.#db.transaction(() => {
      this.#db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at INTEGER NOT NULL
      ) STRICT`);
      const applied = new Set(
        this.#db
          .prepare<[], { version: number }>("SELECT version FROM schema_migrations")
          .all()
          .map((row) => row.version),
      );
      const record = this.#db.prepare(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
      );
      for (const migration of SQLITE_MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        this.#db.exec(migration.sql);
        record.run(migration.version, migration.name, Date.now());
      }
    });
    apply.immediate();
  }
}

function tokenRow(token: NewTokenRecord) {
  return {
    id: token.id,
    project_id: token.projectId,
    name: token.name,
    permissions: storedPermissions(token.permissions),
    secret_digest: token.secretDigest,
    sealed_secret: token.sealedSecret,
    created_at: token.createdAt.getTime(),
    updated_at: token.updatedAt.getTime(),
  };
}
