import type pg from "pg";
import type { AppliedMigration, Migration, MigrationAdapter } from "../migration-runner.js";

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
    await this.client.query(
      "ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS breaks_older_code boolean NOT NULL DEFAULT false",
    );
  }

  async appliedMigrations(): Promise<readonly AppliedMigration[]> {
    const { rows: history } = await this.client.query<{ flag: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'schema_migrations'
          AND column_name = 'breaks_older_code') AS flag`,
    );
    const { rows: table } = await this.client.query<{ present: boolean }>(
      "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
    );
    if (!table[0]?.present) return [];
    const flag = history[0]?.flag ? "breaks_older_code" : "false";
    const { rows } = await this.client.query<{ version: number; name: string; breaks: boolean }>(
      `SELECT version, name, ${flag} AS breaks FROM schema_migrations ORDER BY version`,
    );
    return rows.map((row) => ({
      version: row.version,
      name: row.name,
      breaksOlderCode: row.breaks,
    }));
  }

  async recordApplied(migration: Migration): Promise<void> {
    await this.client.query(
      "INSERT INTO schema_migrations (version, name, breaks_older_code) VALUES ($1, $2, $3)",
      [migration.version, migration.name, migration.breaksOlderCode === true],
    );
  }
}
