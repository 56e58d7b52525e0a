import type pg from "pg";
import type { Migration, MigrationAdapter } from "../migration-runner.js";

/** Key of the advisory lock that serializes migrations between nodes starting together. */
const MIGRATION_LOCK = 7_364_102_811;

/**
 * Migrations on PostgreSQL, on one connection: DDL is transactional, and a transaction-scoped
 * advisory lock makes nodes that start together migrate one after the other.
 */
export class PostgresMigrationAdapter implements MigrationAdapter {
  constructor(private readonly client: pg.ClientBase) {}

  async transaction(work: () => Promise<void>): Promise<void> {
    await this.client.query("BEGIN");
    try {
      await work();
      await this.client.query("COMMIT");
    } catch (error) {
      await this.client.query("ROLLBACK").catch(() => {});
      throw error;
    }
  }

  async lock(): Promise<void> {
    await this.client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
  }

  async exec(sql: string): Promise<void> {
    await this.client.query(sql);
  }

  async ensureHistory(): Promise<void> {
    await this.client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async appliedVersions(): Promise<ReadonlySet<number>> {
    const { rows } = await this.client.query<{ version: number }>(
      "SELECT version FROM schema_migrations",
    );
    return new Set(rows.map((row) => row.version));
  }

  async recordApplied(migration: Migration): Promise<void> {
    await this.client.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [
      migration.version,
      migration.name,
    ]);
  }
}
