/** One step of a store's schema in one dialect (each is written once, in sql/migrations.ts). */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * What the migration runner needs from one database, and all that differs between them: how
 * to hold a transaction, how to keep other processes from migrating at the same time, and how
 * the history table is written.
 */
export interface MigrationAdapter {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction(work: () => Promise<void>): Promise<void>;
  /** Inside the transaction: waits until no other process migrates, until the transaction ends. */
  lock(): Promise<void>;
  exec(sql: string): Promise<void>;
  /** Creates the history table unless it exists. */
  ensureHistory(): Promise<void>;
  appliedVersions(): Promise<ReadonlySet<number>>;
  recordApplied(migration: Migration): Promise<void>;
}

/**
 * Applies every migration not yet recorded, in version order, all in one transaction under the
 * migration lock: nodes starting together migrate once, and a failed migration leaves the
 * schema as it was.
 */
export async function runMigrations(
  adapter: MigrationAdapter,
  migrations: readonly Migration[],
): Promise<void> {
  await adapter.transaction(async () => {
    await adapter.lock();
    await adapter.ensureHistory();
    const applied = await adapter.appliedVersions();
    const pending = migrations
      .filter((migration) => !applied.has(migration.version))
      .sort((a, b) => a.version - b.version);
    for (const migration of pending) {
      await adapter.exec(migration.sql);
      await adapter.recordApplied(migration);
    }
  });
}
