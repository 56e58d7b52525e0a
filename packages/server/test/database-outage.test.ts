import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { compatClient } from "./support/compat.js";
import type { HttpClient } from "./support/http-client.js";
import { TcpProxy } from "./support/tcp-proxy.js";
import { createTestDatabase, TEST_STORE, type TestDatabase } from "./support/test-database.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

const POSTGRES_PORT = 5432;

describe.skipIf(TEST_STORE !== "postgres")("when PostgreSQL becomes unreachable", () => {
  const proxy = new TcpProxy("127.0.0.1", POSTGRES_PORT);
  let server: TestServer;
  let api: ReturnType<typeof compatClient>;
  let http: HttpClient;
  /** The same database, reached directly: what another node would use. */
  let direct: TestDatabase;

  beforeAll(async () => {
    await proxy.start();
    const directory = mkdtempSync(join(tmpdir(), "tokenspace-outage-"));
    direct = await createTestDatabase(directory);
    server = await startTestServer({
      directory,
      database: { ...direct, url: direct.url.replace(`:${POSTGRES_PORT}/`, `:${proxy.port}/`) },
      env: { TOKENSPACE_PG_CONNECT_TIMEOUT_MS: "500" },
    });
    api = compatClient(server);
    http = api.http;
  });
  afterAll(async () => {
    await proxy.restore().catch(() => {});
    await server.close();
    await proxy.cut();
  });

  const untilReady = async () => {
    for (let attempt = 0; attempt < 100; attempt++) {
      if ((await http.request("GET", "/readyz", { auth: null })).status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("the server did not become ready again");
  };

  test("requests get a 503 with Retry-After in each surface's shape, nothing is written, and the node recovers by itself", async () => {
    const before = await server.database.countRows("tokens");
    await proxy.cut();

    const compat = await http.request("POST", api.tokens(), {
      json: { name: "lost", permissions: ["chat"] },
    });
    expect(compat.status).toBe(503);
    expect(compat.headers.get("retry-after")).toBe("1");
    expect(compat.body).toEqual({
      code: 20503,
      message: expect.stringContaining("database is unavailable"),
      more_info: expect.any(String),
      status: 503,
    });

    const native = await http.request("POST", "/api/project/tokens", {
      json: { name: "lost", permissions: ["chat"] },
    });
    expect(native.status).toBe(503);
    expect(native.headers.get("retry-after")).toBe("1");
    expect(native.body).toEqual({ error: "Service Unavailable" });

    const ready = await http.request("GET", "/readyz", { auth: null });
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: "not ready" });
    expect((await http.request("GET", "/healthz", { auth: null })).status).toBe(200);

    await proxy.restore();
    await untilReady();

    expect(await server.database.countRows("tokens")).toBe(before);
    const created = await http.request("POST", api.tokens(), {
      json: { name: "back", permissions: ["chat"] },
    });
    expect(created.status).toBe(200);
    expect(await server.database.countRows("tokens")).toBe(before + 1);
  });

  test("a revocation made while the node cannot hear announcements is honoured on its next request", async () => {
    const created = await api.createToken("revoked during outage", ["management"]);
    const asCreated = http.withCredentials(server.projectId, created.token);
    expect((await asCreated.request("GET", api.tokens())).status).toBe(200);

    await proxy.cut();
    // Another node deletes the token while this one cannot hear about it.
    const other = new pg.Client({ connectionString: direct.url });
    await other.connect();
    await other.query("DELETE FROM tokens WHERE id = $1", [created.id]);
    await other.end();
    await proxy.restore();
    await untilReady();

    expect((await asCreated.request("GET", api.tokens())).status).toBe(401);
  });
});
