import type Database from "better-sqlite3";
import type { AppliedMigration, Migration, MigrationAdapter } from "../migration-runner.js";

/**
 * Migrations on SQLite. The transaction is `BEGIN IMMEDIATE`, which takes the database's write
 * lock at once, so it is also the lock that keeps two processes from migrating together.
 */
export class SqliteMigrationAdapter implements MigrationAdapter {
  constructor(private readonly db: Database.Database) {}

  async transaction(work: () => Promise<void>): Promise<void> {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      await work();
      this.db.exec("COMMIT");
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }

  async lock(): Promise<void> {}

  async exec(sql: string): Promise<void> {
    this.db.exec(sql);
  }

  async ensureHistory(): Promise<void> {
    this.db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at INTEGER NOT NULL,
      breaks_older_code INTEGER NOT NULL DEFAULT 0
    ) STRICT`);
    const columns = this.db.pragma("table_info(schema_migrations)") as { name: string }[];
    if (!columns.some((column) => column.name === "breaks_older_code")) {
      this.db.exec(
        "ALTER TABLE schema_migrations ADD COLUMN breaks_older_code INTEGER NOT NULL DEFAULT 0",
      );
    }
  }

  async appliedMigrations(): Promise<readonly AppliedMigration[]> {
    const history = this.db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
      .get();
    if (history === undefined) return [];
    const columns = this.db.pragma("table_info(schema_migrations)") as { name: string }[];
    const flag = columns.some((column) => column.name === "breaks_older_code")
      ? "breaks_older_code"
      : "0";
    return this.db
      .prepare<[], { version: number; name: string; breaks: number }>(
        `SELECT version, name, ${flag} AS breaks FROM schema_migrations ORDER BY version`,
      )
      .all()
      .map((row) => ({ version: row.version, name: row.name, breaksOlderCode: row.breaks === 1 }));
  }

  async recordApplied(migration: Migration): Promise<void> {
    this.db
      .prepare(
        "INSERT INTO schema_migrations (version, name, applied_at, breaks_older_code) VALUES (?, ?, ?, ?)",
      )
      .run(migration.version, migration.name, Date.now(), migration.breaksOlderCode ? 1 : 0);
  }
}
