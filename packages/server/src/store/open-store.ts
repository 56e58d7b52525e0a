import { dirname } from "node:path";
import { DatabaseUrlError } from "../domain/errors.js";
import type { Store } from "../domain/store.js";
import { redactDatabaseUrl, sqliteLocation } from "./database-url.js";
import type { MigrationOptions, MigrationPlan } from "./migration-runner.js";
import type { PostgresOptions } from "./postgres/postgres-options.js";
import { SqliteStore } from "./sqlite/sqlite-store.js";

interface OpenedStore {
  readonly store: Store;
  /**
   * Where generated files (the server key, local certificates) belong: beside the database, or
   * `undefined` when it has no place on disk.
   */
  readonly dataDirectory: string | undefined;
  /** Several nodes share this store, so they must share a configured server key. */
  readonly shared: boolean;
}

/**
 * PostgreSQL's store, loaded only for a PostgreSQL URL: its driver (and what the driver loads)
 * was a fifth of the start of every command on SQLite.
 */
const postgresStore = async () => (await import("./postgres/postgres-store.js")).PostgresStore;

const unsupported = (databaseUrl: string) =>
  new DatabaseUrlError(
    `DATABASE_URL must start with sqlite: or postgres://; got "${redactDatabaseUrl(databaseUrl)}"`,
  );

/** What opening the store a `DATABASE_URL` names would migrate, read without writing. */
export async function planStoreMigrations(
  databaseUrl: string,
  postgres: PostgresOptions,
  migration: MigrationOptions = {},
): Promise<MigrationPlan> {
  const location = sqliteLocation(databaseUrl);
  if (location !== undefined) return SqliteStore.planMigrations(location, migration);
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    return (await postgresStore()).planMigrations(databaseUrl, postgres, migration);
  }
  throw unsupported(databaseUrl);
}

/**
 * Opens, and migrates, the store a `DATABASE_URL` names: `sqlite:PATH` (relative to the working
 * directory), `sqlite::memory:` for a throw-away store, or `postgres://…` / `postgresql://…`.
 */
export async function openStore(
  databaseUrl: string,
  postgres: PostgresOptions,
  migration: MigrationOptions = {},
): Promise<OpenedStore> {
  const location = sqliteLocation(databaseUrl);
  if (location === ":memory:") {
    return { store: await SqliteStore.open(":memory:"), dataDirectory: undefined, shared: false };
  }
  if (location !== undefined) {
    return {
      store: await SqliteStore.open(location, migration),
      dataDirectory: dirname(location),
      shared: false,
    };
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    return {
      store: await (await postgresStore()).open(databaseUrl, postgres, migration),
      dataDirectory: undefined,
      shared: true,
    };
  }
  throw unsupported(databaseUrl);
}
