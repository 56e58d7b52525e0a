import { chmodSync, closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type {
  AuditFilter,
  AuditRecord,
  FilteredListWindow,
  FilteredRows,
  ListWindow,
  NewAuditRecord,
  NewProjectRecord,
  NewTokenRecord,
  ProjectChangeSet,
  ProjectRecord,
  SealedSecret,
  Store,
  TokenChangeSet,
  TokenFilter,
  TokenRecord,
  TokenReroll,
  TokenUse,
} from "../../domain/store.js";
import { StoreConflictError } from "../../errors.js";
import { filteredRows, filterUpTo } from "../filtered-window.js";
import { runMigrations } from "../migration-runner.js";
import {
  AUDIT,
  type AuditRow,
  assignmentsSql,
  auditValues,
  type ColumnValue,
  EXPIRED_TOKEN_AUDIT,
  insertSql,
  PROJECTS,
  type ProjectRow,
  projectChangeValues,
  projectValues,
  TOKENS,
  type TokenRow,
  toAudit,
  tokenChangeValues,
  tokenValues,
  toProject,
  toToken,
} from "../rows.js";
import { SqliteMigrationAdapter } from "./sqlite-migration-adapter.js";
import { SQLITE_MIGRATIONS } from "./sqlite-migrations.js";
import { SqliteWriteBatcher } from "./sqlite-write-batcher.js";

const PROJECT_FAMILY = `(id = @project_id OR parent_id = @project_id)
  AND (@friendly_name IS NULL OR friendly_name = @friendly_name)`;

/** The caller's project and its subprojects, or only the one of them a filter names. */
const FAMILY_MEMBERS = `(SELECT id FROM projects
  WHERE (id = @project_id OR parent_id = @project_id)
    AND (@only_project_id IS NULL OR id = @only_project_id))`;

/** A top-level project (and not a filter for one project) also sees the service's entries. */
const SERVICE_ENTRIES = `project_id IS NULL AND @only_project_id IS NULL
  AND EXISTS (SELECT 1 FROM projects WHERE id = @project_id AND parent_id IS NULL)`;

const AUDIT_FILTER = `(@action IS NULL OR action = @action)
  AND (@since IS NULL OR occurred_at >= @since)
  AND (@until IS NULL OR occurred_at < @until)`;

const TOKEN_FILTER = `(@expiring_from IS NULL OR (expires_at >= @expiring_from AND expires_at < @expiring_by))
  AND (@name_contains IS NULL OR instr(unicode_lower(name), @name_contains) > 0)`;

/** SQLite names its parameters `@column`, and takes times as epoch milliseconds. */
const named = (column: string) => `@${column}`;

/**
 * The embedded store: one SQLite file in WAL mode with `synchronous = FULL`, so a commit has
 * been fsynced before any write resolves. Reads run straight on the connection; writes go
 * through the group-commit batcher.
 */
export class SqliteStore implements Store {
  readonly #db: Database.Database;
  readonly #writes: SqliteWriteBatcher;
  readonly #statements;

  /** Opens (creating it if need be) the database file and applies pending migrations. */
  static async open(filename: string): Promise<SqliteStore> {
    if (filename !== ":memory:") keepPrivate(filename);
    const db = new Database(filename);
    try {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = FULL");
      db.pragma("foreign_keys = ON");
      db.pragma("busy_timeout = 5000");
      // SQLite's lower() folds ASCII only; PostgreSQL's folds Unicode, and both stores must agree.
      db.function("unicode_lower", { deterministic: true }, (text) =>
        typeof text === "string" ? text.toLowerCase() : text,
      );
      await runMigrations(new SqliteMigrationAdapter(db), SQLITE_MIGRATIONS);
      return new SqliteStore(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private constructor(db: Database.Database) {
    this.#db = db;
    this.#writes = new SqliteWriteBatcher(db);
    this.#statements = {
      ping: db.prepare("SELECT 1"),
      dataVersion: db.prepare<[], number>("PRAGMA data_version").pluck(),
      readSetting: db.prepare<[string], { value: string }>(
        "SELECT value FROM settings WHERE key = ?",
      ),
      initSetting: db.prepare(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
      ),
      writeSetting: db.prepare(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      ),
      deleteSetting: db.prepare("DELETE FROM settings WHERE key = ?"),
      listAllTokens: db.prepare<[number, number], TokenRow>(
        `SELECT ${TOKENS.selectList} FROM tokens WHERE position > ? ORDER BY position ASC LIMIT ?`,
      ),
      resealToken: db.prepare(
        `UPDATE tokens SET secret_digest = ?, sealed_secret = ?,
           previous_secret_digest = ?, previous_sealed_secret = ?
         WHERE id = ? AND secret_digest = ?`,
      ),
      resealSigningKey: db.prepare(
        "UPDATE projects SET signing_key_digest = ?, sealed_signing_key = ? WHERE id = ? AND signing_key_digest = ?",
      ),
      insertProject: db.prepare(insertSql(PROJECTS, named)),
      findProject: db.prepare<[string], ProjectRow>(
        `SELECT ${PROJECTS.selectList} FROM projects WHERE id = ?`,
      ),
      updateProject: db.prepare(
        `UPDATE projects SET ${assignmentsSql(PROJECTS, named)}
         WHERE id = @id RETURNING ${PROJECTS.selectList}`,
      ),
      listProjectFamilyAfter: db.prepare(
        `SELECT ${PROJECTS.selectList} FROM projects WHERE ${PROJECT_FAMILY} AND position > @position
         ORDER BY position ASC LIMIT @limit`,
      ),
      listProjectFamilyBefore: db.prepare(
        `SELECT ${PROJECTS.selectList} FROM projects WHERE ${PROJECT_FAMILY} AND position < @position
         ORDER BY position DESC LIMIT @limit`,
      ),
      countProjects: db.prepare<[], { count: number }>("SELECT count(*) AS count FROM projects"),
      listProjects: db.prepare<[], ProjectRow>(
        `SELECT ${PROJECTS.selectList} FROM projects ORDER BY position`,
      ),
      insertToken: db.prepare(insertSql(TOKENS, named)),
      findToken: db.prepare<[string, string], TokenRow>(
        `SELECT ${TOKENS.selectList} FROM tokens WHERE project_id = ? AND id = ?`,
      ),
      findTokenById: db.prepare<[string], TokenRow>(
        `SELECT ${TOKENS.selectList} FROM tokens WHERE id = ?`,
      ),
      findTokenByDigest: db.prepare<[Buffer, Buffer], TokenRow>(
        `SELECT ${TOKENS.selectList} FROM tokens WHERE secret_digest = ?
         UNION ALL
         SELECT ${TOKENS.selectList} FROM tokens WHERE previous_secret_digest = ?
         LIMIT 1`,
      ),
      currentDigest: db.prepare<[string, string], { secret_digest: Buffer }>(
        "SELECT secret_digest FROM tokens WHERE project_id = ? AND id = ?",
      ),
      rerollToken: db.prepare(
        `UPDATE tokens SET
           previous_secret_digest = CASE WHEN @previous_until IS NULL THEN NULL ELSE secret_digest END,
           previous_sealed_secret = CASE WHEN @previous_until IS NULL THEN NULL ELSE sealed_secret END,
           previous_secret_expires_at = @previous_until,
           secret_digest = @digest, sealed_secret = @sealed, updated_at = @updated_at
         WHERE project_id = @project_id AND id = @id
         RETURNING ${TOKENS.selectList}`,
      ),
      recordTokenUse: db.prepare(
        "UPDATE tokens SET last_used_at = max(coalesce(last_used_at, 0), @at) WHERE id = @id",
      ),
      dueExpiries: db.prepare<[number, number], TokenRow>(
        `SELECT ${TOKENS.selectList} FROM tokens
         WHERE expires_at IS NOT NULL AND expiry_recorded = 0 AND expires_at <= ?
         ORDER BY expires_at LIMIT ?`,
      ),
      markExpiryRecorded: db.prepare("UPDATE tokens SET expiry_recorded = 1 WHERE id = ?"),
      auditExpiry: db.prepare(`${EXPIRED_TOKEN_AUDIT} FROM tokens WHERE id = ?`),
      familyTokens: filteredListStatements(
        db,
        TOKENS.selectList,
        (columns, clause) =>
          `SELECT ${columns} FROM tokens WHERE project_id IN ${FAMILY_MEMBERS} AND ${clause}`,
        TOKEN_FILTER,
      ),
      insertAudit: db.prepare(insertSql(AUDIT, named, { returning: false })),
      audit: filteredListStatements(
        db,
        AUDIT.selectList,
        // Two arms, each read in position order from its own index and stopped by its LIMIT.
        (columns, clause) =>
          `SELECT * FROM (SELECT ${columns} FROM audit_events
             WHERE project_id IN ${FAMILY_MEMBERS} AND ${clause})
           UNION ALL
           SELECT * FROM (SELECT ${columns} FROM audit_events
             WHERE ${SERVICE_ENTRIES} AND ${clause})`,
        AUDIT_FILTER,
      ),
      // One target's entries, from its own index; they are all in scope or none is.
      targetAudit: filteredListStatements(
        db,
        AUDIT.selectList,
        (columns, clause) =>
          `SELECT ${columns} FROM audit_events
           WHERE target_id = @target_id
             AND (project_id IN ${FAMILY_MEMBERS} OR (${SERVICE_ENTRIES}))
             AND ${clause}`,
        AUDIT_FILTER,
      ),
      pruneAudit: db.prepare(
        `DELETE FROM audit_events WHERE position IN (
           SELECT position FROM audit_events WHERE occurred_at < ? ORDER BY occurred_at LIMIT ?)`,
      ),
      updateToken: db.prepare(
        `UPDATE tokens SET ${assignmentsSql(TOKENS, named)}
         WHERE project_id = @project_id AND id = @id
         RETURNING ${TOKENS.selectList}`,
      ),
      deleteToken: db.prepare(
        `DELETE FROM tokens WHERE project_id = ? AND id = ? RETURNING ${TOKENS.selectList}`,
      ),
      listTokensAfter: db.prepare<[string, number, number], TokenRow>(
        `SELECT ${TOKENS.selectList} FROM tokens WHERE project_id = ? AND position > ?
         ORDER BY position ASC LIMIT ?`,
      ),
      listTokensBefore: db.prepare<[string, number, number], TokenRow>(
        `SELECT ${TOKENS.selectList} FROM tokens WHERE project_id = ? AND position < ?
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
   * its cache directly. What the CLI changes beside it, writes notice at once (by
   * `outsideChangeCount`) and reads within the cache lifetime.
   */
  watchRevocations(): void {}

  /**
   * SQLite's `data_version`, which moves when another connection (the CLI, say) commits and
   * never for this one's own writes.
   */
  outsideChangeCount(): number {
    return this.#statements.dataVersion.get() as number;
  }

  /** One process uses the embedded store, so its counts live in that process's memory. */
  sharedCounters(): undefined {
    return undefined;
  }

  async readSetting(key: string): Promise<string | undefined> {
    return this.#statements.readSetting.get(key)?.value;
  }

  async initSetting(key: string, value: string): Promise<string> {
    return this.#write(() => {
      this.#statements.initSetting.run(key, value);
      return this.#statements.readSetting.get(key)?.value ?? value;
    });
  }

  async writeSettings(
    settings: Readonly<Record<string, string | undefined>>,
    audit?: NewAuditRecord,
  ): Promise<void> {
    await this.#write(() => {
      for (const [key, value] of Object.entries(settings)) {
        if (value === undefined) this.#statements.deleteSetting.run(key);
        else this.#statements.writeSetting.run(key, value);
      }
      if (audit) this.#audit(audit);
    });
  }

  async insertProject(project: NewProjectRecord, audit: NewAuditRecord): Promise<ProjectRecord> {
    return this.#write(() => {
      const row = this.#statements.insertProject.get(sqliteValues(projectValues(project)));
      this.#audit(audit);
      return toProject(row as ProjectRow);
    });
  }

  async findProject(id: string): Promise<ProjectRecord | undefined> {
    const row = this.#statements.findProject.get(id);
    return row && toProject(row);
  }

  async updateProject(
    id: string,
    changes: ProjectChangeSet,
    audit: NewAuditRecord,
  ): Promise<ProjectRecord | undefined> {
    return this.#write(() => {
      const row = this.#statements.updateProject.get({
        id,
        ...sqliteValues(projectChangeValues(changes)),
      }) as ProjectRow | undefined;
      if (row) this.#audit(audit);
      return row && toProject(row);
    });
  }

  async listProjectFamily(
    projectId: string,
    window: ListWindow,
    friendlyName?: string,
  ): Promise<ProjectRecord[]> {
    return inWindow<ProjectRow>(
      this.#statements.listProjectFamilyAfter,
      this.#statements.listProjectFamilyBefore,
      {
        project_id: projectId,
        friendly_name: friendlyName ?? null,
      },
      window,
    ).map(toProject);
  }

  async countProjects(): Promise<number> {
    return this.#statements.countProjects.get()?.count ?? 0;
  }

  async listProjects(): Promise<ProjectRecord[]> {
    return this.#statements.listProjects.all().map(toProject);
  }

  async insertToken(token: NewTokenRecord, audit: NewAuditRecord): Promise<TokenRecord> {
    return this.#write(() => {
      const row = this.#statements.insertToken.get(sqliteValues(tokenValues(token)));
      this.#audit(audit);
      return toToken(row as TokenRow);
    });
  }

  async insertTokens(tokens: readonly NewTokenRecord[], audit: NewAuditRecord): Promise<void> {
    await this.#write(() => {
      for (const token of tokens)
        this.#statements.insertToken.get(sqliteValues(tokenValues(token)));
      this.#audit(audit);
    });
  }

  async findToken(projectId: string, tokenId: string): Promise<TokenRecord | undefined> {
    const row = this.#statements.findToken.get(projectId, tokenId);
    return row && toToken(row);
  }

  async findTokenById(tokenId: string): Promise<TokenRecord | undefined> {
    const row = this.#statements.findTokenById.get(tokenId);
    return row && toToken(row);
  }

  async findTokenByDigest(secretDigest: Buffer): Promise<TokenRecord | undefined> {
    const row = this.#statements.findTokenByDigest.get(secretDigest, secretDigest);
    return row && toToken(row);
  }

  async updateToken(
    projectId: string,
    tokenId: string,
    changes: TokenChangeSet,
    audit: NewAuditRecord,
  ): Promise<TokenRecord | undefined> {
    return this.#write(() => {
      const row = this.#statements.updateToken.get({
        project_id: projectId,
        id: tokenId,
        ...sqliteValues(tokenChangeValues(changes)),
      }) as TokenRow | undefined;
      if (row) this.#audit(audit);
      return row && toToken(row);
    });
  }

  async rerollToken(
    projectId: string,
    tokenId: string,
    reroll: TokenReroll,
    audit: NewAuditRecord,
  ): Promise<{ token: TokenRecord; replacedDigest: Buffer } | undefined> {
    return this.#write(() => {
      const replaced = this.#statements.currentDigest.get(projectId, tokenId);
      if (!replaced) return undefined;
      const row = this.#statements.rerollToken.get(
        sqliteValues({
          project_id: projectId,
          id: tokenId,
          digest: reroll.secret.digest,
          sealed: reroll.secret.sealed,
          previous_until: reroll.previousSecretExpiresAt,
          updated_at: reroll.updatedAt,
        }),
      ) as TokenRow;
      this.#audit(audit);
      return { token: toToken(row), replacedDigest: replaced.secret_digest };
    });
  }

  async deleteToken(
    projectId: string,
    tokenId: string,
    audit: NewAuditRecord,
  ): Promise<TokenRecord | undefined> {
    return this.#write(() => {
      const row = this.#statements.deleteToken.get(projectId, tokenId) as TokenRow | undefined;
      if (row) this.#audit(audit);
      return row && toToken(row);
    });
  }

  async listFamilyTokens(
    projectId: string,
    window: FilteredListWindow,
    filter: TokenFilter = {},
  ): Promise<FilteredRows<TokenRecord>> {
    const found = inFilteredWindow<TokenRow>(
      this.#statements.familyTokens,
      {
        project_id: projectId,
        only_project_id: filter.projectId ?? null,
        name_contains: filter.nameContains?.toLowerCase() ?? null,
        expiring_from: filter.expiring?.from.getTime() ?? null,
        expiring_by: filter.expiring?.by.getTime() ?? null,
      },
      hasFilterCondition(filter.nameContains, filter.expiring),
      window,
    );
    return { ...found, rows: found.rows.map(toToken) };
  }

  async recordTokenUses(uses: readonly TokenUse[]): Promise<void> {
    await this.#write(() => {
      for (const use of uses) {
        this.#statements.recordTokenUse.run({ id: use.tokenId, at: use.at.getTime() });
      }
    });
  }

  async claimExpiredTokens(now: Date, limit: number): Promise<TokenRecord[]> {
    return this.#write(() =>
      this.#statements.dueExpiries.all(now.getTime(), limit).map((row) => {
        const token = toToken(row);
        this.#statements.markExpiryRecorded.run(token.id);
        this.#statements.auditExpiry.run(token.id);
        return token;
      }),
    );
  }

  async listAudit(
    projectId: string,
    filter: AuditFilter,
    window: FilteredListWindow,
  ): Promise<FilteredRows<AuditRecord>> {
    const found = inFilteredWindow<AuditRow>(
      filter.targetId === undefined ? this.#statements.audit : this.#statements.targetAudit,
      {
        project_id: projectId,
        only_project_id: filter.projectId ?? null,
        ...(filter.targetId !== undefined && { target_id: filter.targetId }),
        action: filter.action ?? null,
        since: filter.since?.getTime() ?? null,
        until: filter.until?.getTime() ?? null,
      },
      hasFilterCondition(filter.action, filter.since, filter.until),
      window,
    );
    return { ...found, rows: found.rows.map(toAudit) };
  }

  async pruneAudit(before: Date, limit: number): Promise<number> {
    return this.#write(() => this.#statements.pruneAudit.run(before.getTime(), limit).changes);
  }

  async listTokens(projectId: string, window: ListWindow): Promise<TokenRecord[]> {
    if (window.before !== undefined) {
      const rows = this.#statements.listTokensBefore.all(projectId, window.before, window.limit);
      return rows.reverse().map(toToken);
    }
    const rows = this.#statements.listTokensAfter.all(projectId, window.after ?? 0, window.limit);
    return rows.map(toToken);
  }

  async listAllTokens(afterPosition: number, limit: number): Promise<TokenRecord[]> {
    return this.#statements.listAllTokens.all(afterPosition, limit).map(toToken);
  }

  async resealToken(
    id: string,
    expectedDigest: Buffer,
    sealed: SealedSecret,
    previous: SealedSecret | null,
  ): Promise<boolean> {
    return this.#write(
      () =>
        this.#statements.resealToken.run(
          sealed.digest,
          sealed.sealed,
          previous?.digest ?? null,
          previous?.sealed ?? null,
          id,
          expectedDigest,
        ).changes === 1,
    );
  }

  async resealSigningKey(
    id: string,
    expectedDigest: Buffer,
    sealed: SealedSecret,
  ): Promise<boolean> {
    return this.#write(
      () =>
        this.#statements.resealSigningKey.run(sealed.digest, sealed.sealed, id, expectedDigest)
          .changes === 1,
    );
  }

  /** Records an audit entry; called inside the write it records. */
  #audit(entry: NewAuditRecord): void {
    this.#statements.insertAudit.run(sqliteValues(auditValues(entry)));
  }

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
}

/**
 * The database and its WAL and shared-memory files are readable by this user only (0600), and
 * a data directory Tokenspace creates is 0700. SQLite gives the WAL and SHM files the database
 * file's mode, so creating that file 0600 first covers all three; files left 0644 by an older
 * version are narrowed at start.
 */
function keepPrivate(filename: string): void {
  mkdirSync(dirname(filename), { recursive: true, mode: 0o700 });
  closeSync(openSync(filename, "a", 0o600));
  for (const file of [filename, `${filename}-wal`, `${filename}-shm`]) {
    try {
      chmodSync(file, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
}

/**
 * A keyset window of a list: rows after a position in ascending order, or before one (read
 * descending, so the limit takes the nearest rows, then put back in ascending order).
 */
function inWindow<R>(
  after: Database.Statement,
  before: Database.Statement,
  params: Record<string, unknown>,
  window: ListWindow,
): R[] {
  const backwards = window.before !== undefined;
  const rows = (backwards ? before : after).all({
    ...params,
    position: window.before ?? window.after ?? 0,
    limit: window.limit,
  }) as R[];
  return backwards ? rows.reverse() : rows;
}

interface FilteredListStatements {
  readonly after: FilteredWindowStatements;
  readonly before: FilteredWindowStatements;
}

interface FilteredWindowStatements {
  /** The positions of the `@examine`th row beyond `@position` and of the one after it. */
  readonly boundary: Database.Statement;
  /** The rows that pass the filter beyond `@position`, up to `@through`. */
  readonly rows: Database.Statement;
}

/**
 * The statements of a filtered keyset list (see FilteredListWindow). `rows` gives the list's
 * rows, with `columns`, that also meet `clause` (a condition on position, then an ORDER BY and
 * a LIMIT), read from indexes in position order; the boundary is read from those indexes alone,
 * and `filter` is applied to the rows up to it.
 */
function filteredListStatements(
  db: Database.Database,
  columns: string,
  rows: (columns: string, clause: string) => string,
  filter: string,
): FilteredListStatements {
  const travel = (beyond: ">" | "<", order: "ASC" | "DESC"): FilteredWindowStatements => {
    const upTo = beyond === ">" ? "<=" : ">=";
    const examined = `position ${beyond} @position ORDER BY position ${order} LIMIT @examine + 1`;
    const kept = `position ${beyond} @position AND position ${upTo} @through AND ${filter}
      ORDER BY position ${order} LIMIT @limit`;
    return {
      boundary: db.prepare(
        `SELECT position FROM (${rows("position", examined)})
         ORDER BY position ${order} LIMIT 2 OFFSET @examine - 1`,
      ),
      rows: db.prepare(
        `SELECT * FROM (${rows(columns, kept)}) ORDER BY position ${order} LIMIT @limit`,
      ),
    };
  };
  return { after: travel(">", "ASC"), before: travel("<", "DESC") };
}

const hasFilterCondition = (...conditions: unknown[]) =>
  conditions.some((condition) => condition !== undefined);

/**
 * A filtered keyset window: see FilteredListWindow and FilteredRows. With no filter condition
 * given every row passes, so the page's own LIMIT bounds it and no boundary is needed.
 */
function inFilteredWindow<R>(
  statements: FilteredListStatements,
  params: Record<string, unknown>,
  filtered: boolean,
  window: FilteredListWindow,
): FilteredRows<R> {
  const backwards = window.before !== undefined;
  const { boundary, rows: select } = backwards ? statements.before : statements.after;
  const position = window.before ?? window.after ?? 0;
  const [last, beyond] = filtered
    ? (boundary.all({ ...params, position, examine: window.examine }) as { position: number }[])
    : [];
  const examinedThrough = last && beyond ? last.position : undefined;
  const through = filterUpTo(window, examinedThrough);
  const rows = select.all({ ...params, position, through, limit: window.limit }) as R[];
  return filteredRows(window, rows, examinedThrough);
}

/** Times as epoch milliseconds and flags as 1 or 0, the way the SQLite tables keep them. */
function sqliteValues(
  values: Readonly<Record<string, ColumnValue>>,
): Record<string, Exclude<ColumnValue, Date | boolean>> {
  const converted: Record<string, Exclude<ColumnValue, Date | boolean>> = {};
  for (const [column, value] of Object.entries(values)) {
    converted[column] =
      value instanceof Date ? value.getTime() : typeof value === "boolean" ? Number(value) : value;
  }
  return converted;
}
