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
      ahead: [{ version: NEWEST + 1, name: "from a newer release", breaks_older_code: false }],
      newest_known: NEWEST,
    });
  });

  test("secrets are sealed in a format every node on the database opens: 1 on PostgreSQL, whose nodes upgrade one at a time; 2 on SQLite, whose schema keeps older code off", async () => {
    const server = await startTestServer();
    await server.close();
    const tokenspace = await openTokenspace(
      loadConfig({ ...server.database.env, DATABASE_URL: server.database.url }),
    );
    try {
      const sealed = tokenspace.serverKey.vault.seal(newSecret(), "a token id");
      expect(sealed[0]).toBe(TEST_STORE === "postgres" ? 1 : 2);
    } finally {
      await tokenspace.close();
    }
    const formatStep = migrationsFor(TEST_STORE).find(
      (step) => step.name === "secrets sealed in format 2",
    );
    expect(formatStep?.breaksOlderCode).toBe(TEST_STORE === "sqlite" ? true : undefined);
  });
});
