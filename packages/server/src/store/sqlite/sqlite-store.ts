import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { ActorChangedError, StoreConflictError } from "../../domain/errors.js";
import type {
  NewAuditRecord,
  NewTokenRecord,
  Store,
  TokenUse,
  UsageCount,
  UsesLease,
} from "../../domain/store.js";
import {
  type MigrationOptions,
  type MigrationPlan,
  planMigrations,
  runMigrations,
} from "../migration-runner.js";
import { migrationsFor } from "../sql/migrations.js";
import { type RowBuilder, rowBuilder } from "../sql/row-builder.js";
import type { CompiledStatement, SqlValues } from "../sql/sql-dialect.js";
import { type AuditedChange, type RerolledRow, SqlStore } from "../sql/sql-store.js";
import { nextTokenVersion, usesAtNow } from "../sql/store-statements.js";
import {
  announcedValues,
  auditParameters,
  type DeliveryRow,
  EXPIRED_TOKEN_AUDIT,
  ISSUED_TOKENS,
  insertSql,
  leavesDefaults,
  OUTBOX,
  TOKENS,
  type TokenRow,
  tokenValues,
  unconfirmedActor,
} from "../sql/tables.js";
import { keepPrivate } from "./private-files.js";
import { SQLITE_DIALECT } from "./sqlite-dialect.js";
import { SqliteMigrationAdapter } from "./sqlite-migration-adapter.js";
import { SqliteWriteBatcher } from "./sqlite-write-batcher.js";

const USES = usesAtNow(SQLITE_DIALECT);

/** SQLite's own statements: the parts of its writes that PostgreSQL does in CTEs. */
const SQLITE_ONLY = {
  writeSetting:
    "INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  deleteSetting: "DELETE FROM settings WHERE key = @key",
  currentDigest: "SELECT secret_digest FROM tokens WHERE project_id = @project_id AND id = @id",
  rerollToken: `UPDATE tokens SET
      previous_secret_digest = CASE WHEN @previous_until IS NULL THEN NULL ELSE secret_digest END,
      previous_sealed_secret = CASE WHEN @previous_until IS NULL THEN NULL ELSE sealed_secret END,
      previous_secret_expires_at = @previous_until,
      secret_digest = @digest, sealed_secret = @sealed,
      updated_at = ${nextTokenVersion(SQLITE_DIALECT)}
    WHERE project_id = @project_id AND id = @id
    RETURNING ${TOKENS.selectList}`,
  // Without RETURNING, whose rows SQLite gathers in a table of its own (see insertToken).
  insertToken: insertSql(TOKENS, { returning: false }),
  insertIssuedToken: insertSql(ISSUED_TOKENS, { returning: false }),
  // Only a later use moves the time and the address.
  recordTokenUse: `UPDATE tokens SET last_used_at = @at, last_used_ip = @ip
    WHERE id = @id AND (last_used_at IS NULL OR last_used_at < @at)`,
  usesAvailable: `SELECT ${USES.available} AS available, ${USES.refilledAt} AS refilled_at
    FROM tokens WHERE id = @id AND uses_remaining IS NOT NULL`,
  spendUses: `UPDATE tokens SET uses_remaining = @remaining, uses_refilled_at = @refilled_at
    WHERE id = @id`,
  dueExpiries: `SELECT ${TOKENS.selectList} FROM tokens
    WHERE expires_at IS NOT NULL AND expiry_recorded = 0 AND expires_at <= @now
    ORDER BY expires_at LIMIT @limit`,
  markExpiryRecorded: "UPDATE tokens SET expiry_recorded = 1 WHERE id = @id",
  auditExpiry: `${EXPIRED_TOKEN_AUDIT} FROM tokens WHERE id = @id`,
  // One writer at a time: the deliveries it takes are nobody else's until their lease ends.
  claimDeliveries: `UPDATE webhook_outbox SET next_attempt_at = @lease_until
    WHERE position IN (SELECT position FROM webhook_outbox
      WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= @now
      ORDER BY next_attempt_at LIMIT @limit)
    RETURNING ${OUTBOX.selectList}`,
  // A DELETE without WHERE is SQLite's truncate; in this order for the references between them.
  clearTokens: "DELETE FROM tokens",
  clearSubprojects: "DELETE FROM projects WHERE parent_id IS NOT NULL",
  clearProjects: "DELETE FROM projects",
  clearAudit: "DELETE FROM audit_events",
  clearOutbox: "DELETE FROM webhook_outbox",
};

/**
 * A connection to the store's file with the settings every write and read of the store relies
 * on (the benchmark's durable-create floor opens its database with them too).
 */
export function openSqliteConnection(filename: string): Database.Database {
  const db = new Database(filename);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
    // A statement whose trigger writes another table keeps a statement journal; on disk, it
    // was a temporary file written page by page, most of a bulk insert's time.
    db.pragma("temp_store = MEMORY");
    // SQLite's lower() folds ASCII only; PostgreSQL's folds Unicode, and both stores must agree.
    db.function("unicode_lower", { deterministic: true }, (text) =>
      typeof text === "string" ? text.toLowerCase() : text,
    );
    return db;
  } catch (error) {
    // A file that is not a database fails at its first pragma: its handle is not kept open.
    db.close();
    throw error;
  }
}

/**
 * The embedded store: one SQLite file in WAL mode with `synchronous = FULL`, so a commit has
 * been fsynced before any write resolves. Reads run straight on the connection; writes go
 * through the group-commit batcher, and a write and its audit entry are statements of one
 * transaction.
 */
export class SqliteStore extends SqlStore implements Store {
  readonly #db: Database.Database;
  readonly #writes: SqliteWriteBatcher;
  /** Each statement prepared once; one that returns rows, with the builder of its rows. */
  readonly #prepared = new Map<
    string,
    { readonly statement: Database.Statement; readonly row: RowBuilder | undefined }
  >();
  readonly #own = this.compile(SQLITE_ONLY);
  /**
   * The actors a create confirmed in the group commit running (see #confirmForInsert): inserts
   * change no token that is there, so one confirmation holds for the actor's other creates of
   * the commit, until a write of another kind runs in it. Each actor's token id, with the version
   * (epoch milliseconds) it was confirmed at: no key string is built and hashed per create.
   */
  readonly #confirmedForInserts = { transaction: -1, actors: new Map<string, number>() };

  /** Opens (creating it if need be) the database file and applies pending migrations. */
  static async open(filename: string, migration: MigrationOptions = {}): Promise<SqliteStore> {
    if (filename !== ":memory:") keepPrivate(filename);
    const db = openSqliteConnection(filename);
    try {
      await runMigrations(new SqliteMigrationAdapter(db), migrationsFor("sqlite"), migration);
      return new SqliteStore(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** What opening the database would migrate, read without writing (nothing, if it is absent). */
  static async planMigrations(
    filename: string,
    options: MigrationOptions = {},
  ): Promise<MigrationPlan> {
    const migrations = migrationsFor("sqlite");
    if (filename === ":memory:" || !existsSync(filename)) return planMigrations([], migrations);
    const db = new Database(filename, { readonly: true });
    try {
      const applied = await new SqliteMigrationAdapter(db).appliedMigrations();
      return planMigrations(applied, migrations, options);
    } finally {
      db.close();
    }
  }

  /** Read before every write request's credential check: held as one plain value statement. */
  readonly #dataVersion: Database.Statement<[], number>;

  private constructor(db: Database.Database) {
    super(SQLITE_DIALECT);
    this.#db = db;
    this.#writes = new SqliteWriteBatcher(db, storeFailure);
    this.#dataVersion = db.prepare<[], number>("PRAGMA data_version").pluck();
  }

  protected async rows<R>(statement: CompiledStatement, values: SqlValues): Promise<R[]> {
    return this.#all<R>(statement, values);
  }

  protected async change(statement: CompiledStatement, values: SqlValues): Promise<number> {
    return this.#write(() => this.#run(statement, values));
  }

  /** The change and its audit entry: two statements of one write in the group commit. */
  protected async auditedChange<R>(
    change: AuditedChange,
    values: SqlValues,
    audit: NewAuditRecord,
  ): Promise<R[]> {
    const actor = unconfirmedActor(audit.actor);
    return this.#write(() => {
      this.#confirm(actor);
      const rows = this.#all<R>(this.statements[change], values);
      if (rows.length > 0) this.#audit(audit);
      for (const row of rows) this.#announce(audit, row as TokenRow);
      return rows;
    });
  }

  /**
   * A create's insert without `RETURNING`, which made SQLite gather the row in a table of its
   * own and keep a statement journal (a create's hottest statement).
   */
  override insertToken(token: NewTokenRecord, audit: NewAuditRecord): Promise<void> {
    const values = tokenValues(token);
    const insert = leavesDefaults(values) ? this.#own.insertIssuedToken : this.#own.insertToken;
    const actor = unconfirmedActor(audit.actor);
    return this.#write(() => {
      this.#confirmForInsert(actor);
      this.#run(insert, values);
      this.#audit(audit);
      this.#announce(audit, { id: token.id, project_id: token.projectId, name: token.name });
    }, true);
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
    return this.#dataVersion.get() ?? 0;
  }

  /** One process uses the embedded store, so its counts live in that process's memory. */
  sharedCounters(): undefined {
    return undefined;
  }

  async writeSettings(
    settings: Readonly<Record<string, string | undefined>>,
    audit?: NewAuditRecord,
  ): Promise<void> {
    await this.#write(() => {
      for (const [key, value] of Object.entries(settings)) {
        if (value === undefined) this.#run(this.#own.deleteSetting, { key });
        else this.#run(this.#own.writeSetting, { key, value });
      }
      if (audit) this.#audit(audit);
    });
  }

  protected async insertTokenRows(
    rows: readonly SqlValues[],
    audit: NewAuditRecord,
  ): Promise<void> {
    await this.#write(() => {
      for (const row of rows) this.#run(this.#own.insertToken, row);
      this.#audit(audit);
    });
  }

  protected async replaceRows(
    projectRows: readonly SqlValues[],
    tokenRows: readonly SqlValues[],
    audit: NewAuditRecord,
  ): Promise<void> {
    await this.#write(() => {
      const { clearTokens, clearSubprojects, clearProjects, clearAudit, clearOutbox } = this.#own;
      for (const clear of [clearTokens, clearSubprojects, clearProjects, clearAudit, clearOutbox]) {
        this.#run(clear, {});
      }
      for (const row of projectRows) this.#run(this.statements.insertProject, row);
      for (const row of tokenRows) this.#run(this.#own.insertToken, row);
      this.#audit(audit);
    });
  }

  protected async rerollTokenRow(
    values: SqlValues,
    audit: NewAuditRecord,
  ): Promise<RerolledRow | undefined> {
    return this.#write(() => {
      const [replaced] = this.#all<{ secret_digest: Buffer }>(this.#own.currentDigest, values);
      if (!replaced) return undefined;
      const [row] = this.#all<TokenRow>(this.#own.rerollToken, values);
      this.#audit(audit);
      if (row) this.#announce(audit, row);
      return row && { ...row, replaced_digest: replaced.secret_digest };
    });
  }

  async recordTokenUses(uses: readonly TokenUse[]): Promise<void> {
    await this.#write(() => {
      for (const { tokenId, at, ip } of uses) {
        this.#run(this.#own.recordTokenUse, { id: tokenId, at, ip });
      }
    });
  }

  /** Read and spent in one write: the single writer makes the pair atomic. */
  async takeUses(tokenId: string, want: number, now: Date): Promise<UsesLease | undefined> {
    return this.#write(() => {
      const [row] = this.#all<{ available: number; refilled_at: number | null }>(
        this.#own.usesAvailable,
        { id: tokenId, now },
      );
      if (!row) return undefined;
      const granted = Math.min(row.available, want);
      const remaining = row.available - granted;
      const refilledAt = row.refilled_at === null ? null : new Date(row.refilled_at);
      this.#run(this.#own.spendUses, { id: tokenId, remaining, refilled_at: refilledAt });
      return { granted, remaining, refilledAt };
    });
  }

  async addUsage(counts: readonly UsageCount[]): Promise<void> {
    await this.#write(() => {
      for (const count of counts) {
        this.#run(this.statements.addUsage, {
          subject_id: count.subjectId,
          span_ms: count.spanMs,
          bucket_start: count.start,
          allowed: count.allowed,
          refused: count.refused,
        });
      }
    });
  }

  protected async claimExpiredTokenRows(
    now: Date,
    limit: number,
    announces: boolean,
  ): Promise<TokenRow[]> {
    return this.#write(() => {
      const due = this.#all<TokenRow>(this.#own.dueExpiries, { now, limit });
      for (const token of due) {
        this.#run(this.#own.markExpiryRecorded, { id: token.id });
        this.#run(this.#own.auditExpiry, { id: token.id });
        if (announces && token.expires_at !== null) {
          this.#announce(
            { announces: "token.expired", occurredAt: new Date(token.expires_at) },
            token,
          );
        }
      }
      return due;
    });
  }

  protected claimDeliveryRows(now: Date, limit: number, leaseUntil: Date): Promise<DeliveryRow[]> {
    return this.#write(() =>
      this.#all<DeliveryRow>(this.#own.claimDeliveries, { now, limit, lease_until: leaseUntil }),
    );
  }

  /**
   * Called first in a write made by a token: in the write's transaction, so that the token
   * cannot change between the check and the write.
   */
  #confirm(actor: ReturnType<typeof unconfirmedActor>): void {
    if (actor && this.#all(this.statements.confirmActor, actor).length === 0) {
      throw new ActorChangedError();
    }
  }

  /** #confirm, once per actor in a commit of creates (see #confirmedForInserts). */
  #confirmForInsert(actor: ReturnType<typeof unconfirmedActor>): void {
    if (!actor) return;
    const confirmed = this.#confirmedForInserts;
    if (confirmed.transaction !== this.#writes.transaction) {
      confirmed.transaction = this.#writes.transaction;
      confirmed.actors.clear();
    }
    const version = actor.actor_version.getTime();
    if (confirmed.actors.get(actor.actor_token_id) === version) return;
    this.#confirm(actor);
    confirmed.actors.set(actor.actor_token_id, version);
  }

  /** Records an audit entry; called inside the write it records. */
  #audit(entry: NewAuditRecord): void {
    this.#run(this.statements.insertAudit, auditParameters(entry));
  }

  /** Writes the announcement of the change to `row`, if its audit entry announces one. */
  #announce(
    audit: Pick<NewAuditRecord, "announces" | "occurredAt">,
    row: Pick<TokenRow, "id" | "project_id" | "name">,
  ): void {
    const outbox = announcedValues(audit, row);
    if (outbox) this.#run(this.statements.insertOutbox, outbox);
  }

  #prepare(compiled: CompiledStatement) {
    let prepared = this.#prepared.get(compiled.name);
    if (!prepared) {
      const statement = this.#db.prepare(compiled.text);
      // Rows come back as arrays of values, made into objects by one literal (see rowBuilder).
      const row = statement.reader
        ? rowBuilder(
            statement
              .raw(true)
              .columns()
              .map((column) => column.name),
          )
        : undefined;
      prepared = { statement, row };
      this.#prepared.set(compiled.name, prepared);
    }
    return prepared;
  }

  #all<R>(compiled: CompiledStatement, values: SqlValues): R[] {
    const { statement, row } = this.#prepare(compiled);
    const rows = statement.all(...compiled.listValues(values)) as unknown[][];
    return (row ? rows.map(row) : rows) as R[];
  }

  #run(compiled: CompiledStatement, values: SqlValues): number {
    return this.#prepare(compiled).statement.run(...compiled.listValues(values)).changes;
  }

  /**
   * Queues a write for the next group commit (a unique-constraint failure is a conflict, see
   * storeFailure). A write that may change a token that is there (`insertsOnly` false) forgets
   * the actors confirmed before it in the commit.
   */
  #write<T>(work: () => T, insertsOnly = false): Promise<T> {
    if (insertsOnly) return this.#writes.run(work);
    const confirmed = this.#confirmedForInserts.actors;
    return this.#writes.run(() => {
      confirmed.clear();
      return work();
    });
  }
}

/** A unique-constraint failure is a conflict; any other failure is handed on as it is. */
function storeFailure(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
    return new StoreConflictError((error as Error).message);
  }
  return error;
}
