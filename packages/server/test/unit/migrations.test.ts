import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, test } from "vitest";
import {
  type AppliedMigration,
  type Migration,
  planMigrations,
  runMigrations,
} from "../../src/store/migration-runner.js";
import { migrationsFor } from "../../src/store/sql/migrations.js";
import { SqliteMigrationAdapter } from "../../src/store/sqlite/sqlite-migration-adapter.js";

const SQLITE_MIGRATIONS = migrationsFor("sqlite");

import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true });
});

function databaseFile(): string {
  const directory = mkdtempSync(join(tmpdir(), "tokenspace-migrations-"));
  directories.push(directory);
  return join(directory, "tokenspace.db");
}

test("a database at an older schema version is brought up to date and keeps its rows", async () => {
  const file = databaseFile();
  const old = new Database(file);
  await runMigrations(new SqliteMigrationAdapter(old), SQLITE_MIGRATIONS.slice(0, 1));
  old
    .prepare(
      "INSERT INTO projects (id, parent_id, friendly_name, created_at, updated_at) VALUES (?, NULL, ?, 0, 0)",
    )
    .run("6f1c8a52-1111-4a5b-9c1d-0123456789ab", "From version 1");
  old.close();

  const store = await SqliteStore.open(file);
  const project = await store.findProject("6f1c8a52-1111-4a5b-9c1d-0123456789ab");
  await store.close();
  expect(project).toMatchObject({
    friendlyName: "From version 1",
    signingKeyDigest: null,
    sealedSigningKey: null,
  });
  const reader = new Database(file, { readonly: true });
  const versions = reader.prepare("SELECT version FROM schema_migrations ORDER BY version").all();
  reader.close();
  expect(versions).toEqual(SQLITE_MIGRATIONS.map((migration) => ({ version: migration.version })));
});

test("a migration that fails leaves the schema as it was", async () => {
  const file = databaseFile();
  const db = new Database(file);
  const broken = [...SQLITE_MIGRATIONS, { version: 99, name: "broken", sql: "CREATE TABLE (" }];
  await expect(runMigrations(new SqliteMigrationAdapter(db), broken)).rejects.toThrow();
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
  db.close();
  expect(tables).toEqual([]);
});

test("running the migrations twice applies nothing the second time", async () => {
  const file = databaseFile();
  await (await SqliteStore.open(file)).close();
  await (await SqliteStore.open(file)).close();
  const reader = new Database(file, { readonly: true });
  const count = reader.prepare("SELECT count(*) AS count FROM schema_migrations").get();
  reader.close();
  expect(count).toEqual({ count: SQLITE_MIGRATIONS.length });
});

describe("a step awaiting the upgrade's finish", () => {
  const steps: Migration[] = [
    { version: 1, name: "tables", sql: "" },
    { version: 2, name: "breaking", sql: "", breaksOlderCode: true, awaitsUpgradeFinish: true },
    { version: 3, name: "a later column", sql: "" },
  ];
  const versions = (planned: readonly Migration[]) => planned.map((step) => step.version);
  const inUse: AppliedMigration[] = [{ version: 1, name: "tables", breaksOlderCode: false }];

  test("is taken with the rest by a new database, which no older node has run on", () => {
    const plan = planMigrations([], steps);
    expect(versions(plan.pending)).toEqual([1, 2, 3]);
    expect(plan.awaitingFinish).toEqual([]);
  });

  test("waits on a database in use, while the steps after it are taken", () => {
    const plan = planMigrations(inUse, steps);
    expect(versions(plan.pending)).toEqual([3]);
    expect(versions(plan.awaitingFinish)).toEqual([2]);
  });

  test("is taken on a database in use once the upgrade is finished", () => {
    const plan = planMigrations(inUse, steps, { finishUpgrade: true });
    expect(versions(plan.pending)).toEqual([2, 3]);
    expect(plan.awaitingFinish).toEqual([]);
  });
});
