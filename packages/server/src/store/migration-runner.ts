import { ConfigError } from "../domain/errors.js";

/** One step of a store's schema in one dialect (each is written once, in sql/migrations.ts). */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /**
   * Set on the rare step that is not expand-only (it drops or changes what older code uses):
   * code that does not know this step cannot run on the schema it leaves. Within a major
   * version every step expands only: a column is added before any code uses it, and dropped a
   * release after the last code stopped using it.
   */
  readonly breaksOlderCode?: true;
  /**
   * A step that a database already in use takes only when an operator says every node runs code
   * that knows it (`tokenspace migrate --finish`): a breaking one, or one that takes away what
   * older code leans on (an index its queries need). On PostgreSQL, nodes are upgraded one at a
   * time, and the older ones keep running on the database until the last is upgraded.
   * A new database takes it with the rest, since no older node has run on it; once a breaking
   * one is taken, older code refuses the database (see `breaksOlderCode`).
   */
  readonly awaitsUpgradeFinish?: true;
}

/** A step recorded in the database's history. */
export interface AppliedMigration {
  readonly version: number;
  readonly name: string;
  readonly breaksOlderCode: boolean;
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
  /** Creates the history table unless it exists, or adds what an older one lacks. */
  ensureHistory(): Promise<void>;
  /** The recorded steps; none when there is no history table yet (nothing is created). */
  appliedMigrations(): Promise<readonly AppliedMigration[]>;
  recordApplied(migration: Migration): Promise<void>;
}

/** What opening a store would do to its schema. */
export interface MigrationPlan {
  /** Steps this code knows and the database lacks, in the order they would run. */
  readonly pending: readonly Migration[];
  /** Steps the database has and this code does not know: a newer node migrated it. */
  readonly ahead: readonly AppliedMigration[];
  /** Steps held until `migrate --finish` (see Migration.awaitsUpgradeFinish). */
  readonly awaitingFinish: readonly Migration[];
  /** The newest step this code knows. */
  readonly newestKnown: number;
}

/** How a migration runs. */
export interface MigrationOptions {
  /** Every node runs this code: the steps awaiting that are taken too (`migrate --finish`). */
  readonly finishUpgrade?: boolean;
}

/** What migrating a database whose history is `applied` would do. */
export function planMigrations(
  applied: readonly AppliedMigration[],
  migrations: readonly Migration[],
  { finishUpgrade = false }: MigrationOptions = {},
): MigrationPlan {
  const appliedVersions = new Set(applied.map((step) => step.version));
  const knownVersions = new Set(migrations.map((step) => step.version));
  const missing = migrations
    .filter((step) => !appliedVersions.has(step.version))
    .sort((a, b) => a.version - b.version);
  const holds = (step: Migration) =>
    step.awaitsUpgradeFinish === true && applied.length > 0 && !finishUpgrade;
  return {
    pending: missing.filter((step) => !holds(step)),
    ahead: applied.filter((step) => !knownVersions.has(step.version)),
    awaitingFinish: missing.filter(holds),
    newestKnown: Math.max(0, ...knownVersions),
  };
}

/**
 * A database a newer node migrated runs this code only if every step this code does not know
 * expanded the schema; otherwise this node refuses to start and says which versions differ.
 */
function refuseIncompatible(plan: MigrationPlan): void {
  const breaking = plan.ahead.filter((step) => step.breaksOlderCode);
  if (breaking.length === 0) return;
  const newest = Math.max(...plan.ahead.map((step) => step.version));
  throw new ConfigError(
    `The database's schema is at version ${newest}, and step ${breaking.map((step) => `${step.version} (${step.name})`).join(", ")} changed it in a way code that does not know it cannot run on. This node's code knows schema versions up to ${plan.newestKnown}: upgrade it to the version the database was migrated by.`,
  );
}

/**
 * Applies every migration not yet recorded, in version order, all in one transaction under the
 * migration lock: nodes starting together migrate once, and a failed migration leaves the
 * schema as it was. A database already ahead of this code is used as it is when it is
 * compatible (see `refuseIncompatible`), which is what a rolling upgrade needs. Steps awaiting
 * the upgrade's finish are left for `finishUpgrade` (see Migration.awaitsUpgradeFinish).
 */
export async function runMigrations(
  adapter: MigrationAdapter,
  migrations: readonly Migration[],
  options: MigrationOptions = {},
): Promise<void> {
  await adapter.transaction(async () => {
    await adapter.lock();
    await adapter.ensureHistory();
    const plan = planMigrations(await adapter.appliedMigrations(), migrations, options);
    refuseIncompatible(plan);
    for (const migration of plan.pending) {
      await adapter.exec(migration.sql);
      await adapter.recordApplied(migration);
    }
  });
}
