import type Database from "better-sqlite3";
import type { Migration, MigrationAdapter } from "../migration-runner.js";

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
      applied_at INTEGER NOT NULL
    ) STRICT`);
  }

  async appliedVersions(): Promise<ReadonlySet<number>> {
    const rows = this.db
      .prepare<[], { version: number }>("SELECT version FROM schema_migrations")
      .all();
    return new Set(rows.map((row) => row.version));
  }

  async recordApplied(migration: Migration): Promise<void> {
    this.db
      .prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
      .run(migration.version, migration.name, Date.now());
  }
}
