import { closeSync, mkdtempSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, test } from "vitest";
import { runCli } from "./support/cli.js";
import { compatClient } from "./support/compat.js";
import { createTestDatabase, TEST_STORE } from "./support/test-database.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

const freshDirectory = (name: string) => mkdtempSync(join(tmpdir(), `tokenspace-${name}-`));

describe.skipIf(TEST_STORE !== "sqlite")("tokenspace backup and restore on SQLite", () => {
  let servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((server) => server.close()));
    servers = [];
  });
  const started = async (...options: Parameters<typeof startTestServer>) => {
    const server = await startTestServer(...options);
    servers.push(server);
    return server;
  };
  const envOf = (server: TestServer) => ({ DATABASE_URL: server.database.url });

  /** A backup of a served store, with tokens in it. */
  const backedUp = async () => {
    const server = await started({ directory: freshDirectory("live") });
    const api = compatClient(server);
    const tokens = [];
    for (let index = 0; index < 5; index++)
      tokens.push(await api.createToken(`t${index}`, ["management"]));
    const out = join(freshDirectory("backups"), "nightly");
    const result = await runCli(["backup", "--out", out], { env: envOf(server) });
    expect(result.code).toBe(0);
    return { server, out, tokens, result };
  };

  test("a backup taken while a server writes restores every token acknowledged before it began", async () => {
    const server = await started({ directory: freshDirectory("live") });
    const api = compatClient(server);
    const acknowledged: { id: string; token: string; at: number }[] = [];
    for (let index = 0; index < 30; index++) {
      acknowledged.push({
        ...(await api.createToken(`before ${index}`, ["management"])),
        at: performance.now(),
      });
    }
    let writing = true;
    const writer = (async () => {
      for (let index = 0; writing; index++) {
        const created = await api.createToken(`during ${index}`, ["management"]);
        acknowledged.push({ ...created, at: performance.now() });
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const out = join(freshDirectory("backups"), "hot");
    const backupBegan = performance.now();
    const result = await runCli(["backup", "--out", out], { env: envOf(server) });
    writing = false;
    await writer;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Backed up 1 projects and \d+ tokens/);

    const restoredDirectory = freshDirectory("restored");
    const database = await createTestDatabase(restoredDirectory);
    const restored = await runCli(["restore", "--from", out], {
      env: { DATABASE_URL: database.url },
    });
    expect(restored.code).toBe(0);
    const again = await started({
      directory: restoredDirectory,
      database,
      credentials: { projectId: server.projectId, token: server.token },
    });
    const before = acknowledged.filter((token) => token.at < backupBegan);
    expect(before.length).toBeGreaterThan(30);
    const restoredApi = compatClient(again);
    for (const token of before) {
      const asToken = restoredApi.http.withCredentials(server.projectId, token.token);
      expect((await asToken.request("GET", restoredApi.token(token.id))).status, token.id).toBe(
        200,
      );
    }
  }, 60_000);

  test("the key file goes into the backup, mode 0600, with a warning that it is there", async () => {
    const { server, out, result } = await backedUp();
    expect(statSync(out).mode & 0o777).toBe(0o700);
    expect(statSync(join(out, "tokenspace.key")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(out, "tokenspace.key"), "utf8")).toBe(
      readFileSync(join(server.directory, "tokenspace.key"), "utf8"),
    );
    expect(result.stderr).toContain(`${out} now holds the server key`);
    expect(JSON.parse(readFileSync(join(out, "backup.json"), "utf8"))).toMatchObject({
      format: 1,
      projects: 1,
      tokens: 6,
      key_file: true,
    });
  });

  test("restore refuses a database that holds data, and replaces it with --force", async () => {
    const { server, out } = await backedUp();
    const other = await started({ directory: freshDirectory("other") });
    await other.close();
    servers = servers.filter((running) => running !== other);
    const refused = await runCli(["restore", "--from", out], { env: envOf(other) });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("already holds 1 projects");
    expect(await other.database.countRows("tokens")).toBe(1);
    const forced = await runCli(["restore", "--from", out, "--force"], { env: envOf(other) });
    expect(forced.code).toBe(0);
    expect(await other.database.countRows("tokens")).toBe(
      await server.database.countRows("tokens"),
    );
  });

  test("restore refuses a backup from a newer schema, naming both versions", async () => {
    const { out } = await backedUp();
    const db = new Database(join(out, "tokenspace.db"));
    db.prepare(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)",
    ).run();
    db.close();
    const target = await createTestDatabase(freshDirectory("target"));
    const refused = await runCli(["restore", "--from", out], { env: { DATABASE_URL: target.url } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /schema is version 99, newer than this Tokenspace .* knows \(version \d+\)/,
    );
  });

  test("restore refuses a damaged backup and writes nothing", async () => {
    const { out } = await backedUp();
    const file = join(out, "tokenspace.db");
    const descriptor = openSync(file, "r+");
    writeSync(descriptor, Buffer.alloc(8192, 0xa5), 0, 8192, 4096);
    closeSync(descriptor);
    const directory = freshDirectory("target");
    const refused = await runCli(["restore", "--from", out], {
      env: { DATABASE_URL: `sqlite:${join(directory, "tokenspace.db")}` },
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/integrity check|cannot be read/);
    expect(() => statSync(join(directory, "tokenspace.db"))).toThrow();
  });
});

describe.skipIf(TEST_STORE !== "postgres")("tokenspace backup and restore on PostgreSQL", () => {
  test("backup and restore print the pg_dump and pg_restore commands, and the password stays hidden", async () => {
    const database = await createTestDatabase(freshDirectory("pg"));
    const env = { ...database.env, DATABASE_URL: database.url.replace("//", "//user:secretpw@") };
    const backup = await runCli(["backup", "--out", "/backups/tokenspace"], { env });
    expect(backup.code).toBe(0);
    expect(backup.stdout).toContain(
      "pg_dump --format=custom --file=/backups/tokenspace/tokenspace.dump",
    );
    expect(backup.stdout).toContain("TOKENSPACE_SECRET_KEY");
    const restore = await runCli(["restore", "--from", "/backups/tokenspace"], { env });
    expect(restore.stdout).toContain("pg_restore --clean --if-exists");
    expect(`${backup.stdout}${restore.stdout}`).not.toContain("secretpw");
  });
});
