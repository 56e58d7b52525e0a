import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadConfig } from "../src/runtime/config.js";
import { openTokenspace } from "../src/runtime/tokenspace.js";
import { migrationsFor } from "../src/store/sql/migrations.js";
import { runCli } from "./support/cli.js";
import { compatClient } from "./support/compat.js";
import { createTestDatabase, TEST_STORE, type TestDatabase } from "./support/test-database.js";
import { newSecret, startTestServer } from "./support/test-server.js";

const NEWEST = Math.max(...migrationsFor(TEST_STORE).map((step) => step.version));

/** A database a newer release migrated one step further than this code knows. */
async function oneStepAhead(breaksOlderCode: boolean) {
  const directory = mkdtempSync(join(tmpdir(), "tokenspace-upgrade-"));
  const first = await startTestServer({ directory });
  const { database, projectId, token } = first;
  await first.close();
  const flag = TEST_STORE === "sqlite" ? Number(breaksOlderCode) : String(breaksOlderCode);
  const appliedAt = TEST_STORE === "sqlite" ? "0" : "now()";
  await database.execute(
    `INSERT INTO schema_migrations (version, name, applied_at, breaks_older_code)
     VALUES (${NEWEST + 1}, 'from a newer release', ${appliedAt}, ${flag})`,
  );
  return { directory, database, credentials: { projectId, token } };
}

const FORMAT_STEP = 9;
const FORMAT_STEP_NAME = "secrets sealed in format 2";
const PRUNE_STEP = 10;
const PRUNE_STEP_NAME = "audit entries pruned by position";
/** The index step 10 drops; creating it fails while it is there. */
const OCCURRED_INDEX = "CREATE INDEX audit_events_occurred ON audit_events (occurred_at)";

/**
 * A database a server of the release before the format step made and used, served now by this
 * release: its history and settings lacked the step when this release's server opened it.
 */
async function usedByTheReleaseBefore() {
  const directory = mkdtempSync(join(tmpdir(), "tokenspace-format-"));
  const first = await startTestServer({ directory });
  await first.close();
  const { database, projectId, token } = first;
  await database.execute(`DELETE FROM schema_migrations WHERE version = ${FORMAT_STEP}`);
  await database.execute("DELETE FROM settings WHERE key = 'sealed_secret_format'");
  const credentials = { projectId, token };
  const server = await startTestServer({ directory, database, credentials });
  return { database, server, credentials };
}

/** The format a node opening the database seals new secrets in. */
async function sealedFormat(database: TestDatabase): Promise<number | undefined> {
  const tokenspace = await openTokenspace(
    loadConfig({ ...database.env, DATABASE_URL: database.url }),
  );
  try {
    return tokenspace.serverKey.vault.seal(newSecret(), "a token id")[0];
  } finally {
    await tokenspace.close();
  }
}

const migrateDryRun = (database: TestDatabase) =>
  runCli(["migrate", "--dry-run", "--json"], {
    env: { ...database.env, DATABASE_URL: database.url },
  });

describe("rolling upgrades: a node and a schema newer than its code", () => {
  test("a node starts and serves on a database one expand-only step ahead of its code", async () => {
    const ahead = await oneStepAhead(false);
    const server = await startTestServer(ahead);
    try {
      const api = compatClient(server);
      expect((await api.http.request("GET", api.tokens())).status).toBe(200);
      expect((await api.createToken("after the upgrade", ["fax"])).name).toBe("after the upgrade");
    } finally {
      await server.close();
    }
  });

  test("a node refuses a database one breaking step ahead, naming both versions", async () => {
    const ahead = await oneStepAhead(true);
    await expect(startTestServer(ahead)).rejects.toThrow(
      `The database's schema is at version ${NEWEST + 1}, and step ${NEWEST + 1} (from a newer release) changed it in a way code that does not know it cannot run on. This node's code knows schema versions up to ${NEWEST}`,
    );
  });

  test("migrate --dry-run lists every step for an empty database, and writes nothing", async () => {
    const database = await createTestDatabase(mkdtempSync(join(tmpdir(), "tokenspace-plan-")));
    const result = await migrateDryRun(database);
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan.pending.map((step: { version: number }) => step.version)).toEqual(
      migrationsFor(TEST_STORE).map((step) => step.version),
    );
    expect(plan.ahead).toEqual([]);
    const again = JSON.parse((await migrateDryRun(database)).stdout);
    expect(again.pending).toHaveLength(plan.pending.length);
  });

  test("migrate --dry-run shows nothing pending, and the step a newer node applied", async () => {
    const { database } = await oneStepAhead(false);
    const plan = JSON.parse((await migrateDryRun(database)).stdout);
    expect(plan).toEqual({
      pending: [],
      awaiting_finish: [],
      ahead: [{ version: NEWEST + 1, name: "from a newer release", breaks_older_code: false }],
      newest_known: NEWEST,
    });
  });

  test("a new database seals secrets in format 2, and its step keeps older code off it", async () => {
    const server = await startTestServer();
    await server.close();
    expect(await sealedFormat(server.database)).toBe(2);
    const formatStep = migrationsFor(TEST_STORE).find((step) => step.version === FORMAT_STEP);
    expect(formatStep).toMatchObject({ name: "secrets sealed in format 2", breaksOlderCode: true });
  });

  test.skipIf(TEST_STORE !== "postgres")(
    "a PostgreSQL database in use before the format step seals in format 1 until migrate --finish, and every secret stays readable",
    async () => {
      const { database, server, credentials } = await usedByTheReleaseBefore();
      const before = await compatClient(server).createToken("sealed in format 1", ["fax"]);
      await server.close();
      expect(await sealedFormat(database)).toBe(1);
      const plan = JSON.parse((await migrateDryRun(database)).stdout);
      expect(plan.pending).toEqual([]);
      expect(plan.awaiting_finish).toEqual([{ version: FORMAT_STEP, name: FORMAT_STEP_NAME }]);
      const finished = await runCli(["migrate", "--finish", "--json"], {
        env: { ...database.env, DATABASE_URL: database.url },
      });
      expect(JSON.parse(finished.stdout)).toEqual({
        migrated: true,
        finished: [{ version: FORMAT_STEP, name: FORMAT_STEP_NAME }],
      });
      expect(await sealedFormat(database)).toBe(2);
      const after = await startTestServer({ directory: server.directory, database, credentials });
      try {
        const api = compatClient(after);
        const reread = await api.http.request("GET", api.token(before.id));
        expect(reread.body).toMatchObject({ id: before.id, token: before.token });
        const made = await api.createToken("sealed in format 2", ["fax"]);
        expect((await api.http.request("GET", api.token(made.id))).body).toMatchObject({
          token: made.token,
        });
      } finally {
        await after.close();
      }
    },
  );

  test.skipIf(TEST_STORE !== "sqlite")(
    "a SQLite database in use before the format step takes it at its next start: one server serves it",
    async () => {
      const { database, server } = await usedByTheReleaseBefore();
      await server.close();
      expect(await sealedFormat(database)).toBe(2);
      expect(JSON.parse((await migrateDryRun(database)).stdout).awaiting_finish).toEqual([]);
    },
  );

  test.skipIf(TEST_STORE !== "postgres")(
    "a PostgreSQL database in use keeps the audit log's index by time, which older nodes prune by, until migrate --finish drops it",
    async () => {
      const server = await startTestServer();
      await server.close();
      const { database } = server;
      await database.execute(`DELETE FROM schema_migrations WHERE version = ${PRUNE_STEP}`);
      await database.execute(OCCURRED_INDEX);
      const again = await startTestServer({ directory: server.directory, database });
      await again.close();
      expect(JSON.parse((await migrateDryRun(database)).stdout).awaiting_finish).toEqual([
        { version: PRUNE_STEP, name: PRUNE_STEP_NAME },
      ]);
      const finished = await runCli(["migrate", "--finish", "--json"], {
        env: { ...database.env, DATABASE_URL: database.url },
      });
      expect(JSON.parse(finished.stdout).finished).toEqual([
        { version: PRUNE_STEP, name: PRUNE_STEP_NAME },
      ]);
      await expect(database.execute(OCCURRED_INDEX)).resolves.toBeUndefined();
    },
  );

  test("migrate --finish on a database with nothing waiting applies the pending steps and says so", async () => {
    const database = await createTestDatabase(mkdtempSync(join(tmpdir(), "tokenspace-finish-")));
    const result = await runCli(["migrate", "--finish", "--json"], {
      env: { ...database.env, DATABASE_URL: database.url },
    });
    expect(JSON.parse(result.stdout)).toEqual({ migrated: true, finished: [] });
    expect(await sealedFormat(database)).toBe(2);
  });
});
