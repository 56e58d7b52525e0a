import { afterEach, describe, expect, test } from "vitest";
import { loadConfig } from "../src/runtime/config.js";
import { openTokenspace } from "../src/runtime/tokenspace.js";
import { compatClient } from "./support/compat.js";
import { newSecret, startTestServer, type TestServer } from "./support/test-server.js";

describe("state that lasts", () => {
  let server: TestServer;
  afterEach(() => server.close());

  test("200 concurrent creates give 200 distinct ids and secrets, all stored", async () => {
    server = await startTestServer();
    const api = compatClient(server);
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        api.http.request("POST", api.tokens(), {
          json: { name: `t${index}`, permissions: ["chat"] },
        }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(200).fill(200));
    expect(new Set(responses.map((response) => response.body.id)).size).toBe(200);
    expect(new Set(responses.map((response) => response.body.token)).size).toBe(200);
    const listed = await api.http.request("GET", `${api.tokens()}?PageSize=1000`);
    expect(listed.body.tokens).toHaveLength(201);
    expect(await server.database.countRows("tokens")).toBe(201);
  });

  test("after a restart on the same file every token is still there and still authenticates", async () => {
    server = await startTestServer();
    const before = compatClient(server);
    const created = await before.createToken("survivor", ["management", "fax"]);
    const renamed = (
      await before.http.request("PATCH", before.token(created.id), { json: { name: "renamed" } })
    ).body;

    server = await server.restart();
    const after = compatClient(server);

    const asSurvivor = after.http.withCredentials(server.projectId, created.token);
    const fetched = await asSurvivor.request("GET", after.token(created.id));
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(renamed);
  });

  test("a token deleted before a restart stays deleted after it", async () => {
    server = await startTestServer();
    const api = compatClient(server);
    const created = await api.createToken("gone", ["management"]);
    await api.http.request("DELETE", api.token(created.id));

    server = await server.restart();
    const response = await compatClient(server)
      .http.withCredentials(server.projectId, created.token)
      .request("GET", api.tokens());
    expect(response.status).toBe(401);
  });

  test("no issued secret appears in the store or the logs", async () => {
    server = await startTestServer();
    const api = compatClient(server);
    const secrets = [server.token];
    for (let index = 0; index < 20; index++) {
      const created = await api.createToken(`t${index}`, ["management"]);
      secrets.push(created.token);
      await api.http.request("PATCH", api.token(created.id), {
        json: { name: `renamed ${index}` },
      });
      await api.http.request("GET", api.token(created.id));
      await api.http.withCredentials(server.projectId, created.token).request("GET", api.tokens());
    }
    await api.http
      .withCredentials(server.projectId, `PT${"0".repeat(48)}`)
      .request("GET", api.tokens());

    const stored = await server.database.dump();
    expect(stored).toContain("renamed 19");
    const logs = server.logs();
    expect(logs).toContain('"msg":"request"');
    for (const secret of secrets) {
      const hexPart = secret.slice(2);
      for (const text of [stored, logs]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(hexPart);
        expect(text).not.toContain(Buffer.from(secret).toString("hex"));
      }
      expect(stored).not.toContain(Buffer.from(hexPart, "hex").toString("latin1"));
    }
  });

  test("an issued secret leads with the millisecond it was made, the one part of it the store holds", async () => {
    server = await startTestServer();
    const api = compatClient(server);
    const before = Date.now();
    const created = await api.createToken("timed", ["chat"]);
    const after = Date.now();
    const secret: string = created.token;

    const madeAt = Number.parseInt(secret.slice(2, 14), 16);
    expect(madeAt).toBeGreaterThanOrEqual(before);
    expect(madeAt).toBeLessThanOrEqual(after);
    const stored = await server.database.dump();
    expect(holdsBytes(stored, secret.slice(2, 14))).toBe(true);
    expect(holdsBytes(stored, secret.slice(14))).toBe(false);
  });

  test("a secret given to Tokenspace is stored with none of its digits, and still authenticates", async () => {
    server = await startTestServer();
    const given = newSecret();
    await importToken(server, given);

    const stored = await server.database.dump();
    for (const secret of [given, server.token]) {
      expect(holdsBytes(stored, secret.slice(2, 14))).toBe(false);
      expect(holdsBytes(stored, secret.slice(14))).toBe(false);
    }
    const api = compatClient(server);
    const response = await api.http
      .withCredentials(server.projectId, given)
      .request("GET", api.tokens());
    expect(response.status).toBe(200);
  });

  test("a given secret rerolled with an overlap: the given one and the issued one both authenticate", async () => {
    server = await startTestServer();
    const given = newSecret();
    const id = await importToken(server, given);
    const api = compatClient(server);
    const rerolled = await api.http.request("POST", `/api/tokenspace/tokens/${id}/reroll`, {
      json: { overlap: "1h" },
    });
    expect(rerolled.status, rerolled.text).toBe(200);

    for (const secret of [given, rerolled.body.token]) {
      const response = await api.http
        .withCredentials(server.projectId, secret)
        .request("GET", api.tokens());
      expect(response.status).toBe(200);
    }
  });

  test("tokens imported in bulk through the store layer authenticate with their secrets", async () => {
    server = await startTestServer();
    const tokenspace = await openTokenspace(
      loadConfig({ ...server.database.env, DATABASE_URL: server.database.url }),
    );
    const imported = Array.from({ length: 50 }, (_, index) => ({
      name: `imported ${index}`,
      permissions: ["management", "fax"],
      secret: newSecret(),
    }));
    try {
      await tokenspace.tokens.importTokens(server.projectId, imported);
      await expect(
        tokenspace.tokens.importTokens(server.projectId, [
          { name: "fine", permissions: ["fax"], secret: newSecret() },
          { name: "bad", permissions: ["voice"], secret: newSecret() },
        ]),
      ).rejects.toThrow('"voice" is not a valid permission');
    } finally {
      await tokenspace.close();
    }
    const api = compatClient(server);
    for (const token of [imported[0], imported[49]]) {
      const response = await api.http
        .withCredentials(server.projectId, token?.secret ?? "")
        .request("GET", `${api.tokens()}?PageSize=1000`);
      expect(response.status).toBe(200);
      expect(response.body.tokens).toHaveLength(51);
    }
  });

  test("the log has one line per request, with its request id and no Authorization header", async () => {
    server = await startTestServer();
    const api = compatClient(server);
    await api.http.request("GET", api.tokens(), { headers: { "x-request-id": "one-line-check" } });
    const lines = server
      .logs()
      .split("\n")
      .filter((line) => line.includes("one-line-check"));
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0] ?? "{}");
    expect(entry).toMatchObject({ reqId: "one-line-check", method: "GET", statusCode: 200 });
    expect(server.logs().toLowerCase()).not.toContain("authorization");
    expect(server.logs()).not.toContain("Basic ");
  });
});

/** Whether a dump holds these bytes (given in hex): SQLite's raw, PostgreSQL's as hex text. */
function holdsBytes(dump: string, hex: string): boolean {
  return dump.includes(hex) || dump.includes(Buffer.from(hex, "hex").toString("latin1"));
}

/** Imports a management token with this secret straight through the store layer; its id. */
async function importToken(running: TestServer, secret: string): Promise<string> {
  const tokenspace = await openTokenspace(
    loadConfig({ ...running.database.env, DATABASE_URL: running.database.url }),
  );
  try {
    const [id] = await tokenspace.tokens.importTokens(running.projectId, [
      { name: "given", permissions: ["management"], secret },
    ]);
    return id ?? "";
  } finally {
    await tokenspace.close();
  }
}
