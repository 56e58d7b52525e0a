import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, test, vi } from "vitest";
import { runCli } from "./support/cli.js";
import { COMPAT } from "./support/compat.js";
import { useTestServer } from "./support/fixtures.js";
import { HttpClient } from "./support/http-client.js";
import { createTestDatabase } from "./support/test-database.js";
import { newSecret } from "./support/test-server.js";

const EXAMPLE_RULES = fileURLToPath(
  new URL("../../../examples/verify-rules.conf", import.meta.url),
);

describe("/auth/verify: forward auth for reverse proxies", () => {
  const fixture = useTestServer();
  let chatOnly: { id: string; token: string };
  let full: { id: string; token: string };

  beforeAll(async () => {
    chatOnly = await fixture.api.createToken("chat only", ["chat"]);
    full = await fixture.api.createToken("caller", ["calling", "messaging"]);
  });

  const verify = (token: string, query = "", headers: Record<string, string> = {}) =>
    new HttpClient(fixture.server.url, {
      username: fixture.server.projectId,
      password: token,
    }).request("GET", `/auth/verify${query}`, { headers });

  test("a valid token is 200 with the project, token and permissions for the upstream", async () => {
    const response = await verify(full.token);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-tokenspace-project-id")).toBe(fixture.server.projectId);
    expect(response.headers.get("x-tokenspace-token-id")).toBe(full.id);
    expect(response.headers.get("x-tokenspace-permissions")).toBe("calling,messaging");
  });

  test("every permission= asked for is required", async () => {
    expect((await verify(full.token, "?permission=calling&permission=messaging")).status).toBe(200);
    const refused = await verify(full.token, "?permission=calling&permission=fax");
    expect(refused.status).toBe(403);
    expect(refused.body.error).toContain("fax");
  });

  test("a missing or wrong credential is 401 with WWW-Authenticate: Basic", async () => {
    const wrong = await verify(`PT${"0".repeat(48)}`);
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toBe('Basic realm="Tokenspace"');
    const none = await fixture.http.request("GET", "/auth/verify", { auth: null });
    expect(none.status).toBe(401);
    const malformed = await fixture.http.request("GET", "/auth/verify", {
      auth: null,
      headers: { authorization: "Bearer nope" },
    });
    expect(malformed.status).toBe(401);
  });

  test("any method verifies, as proxies forward the original one", async () => {
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      const response = await new HttpClient(fixture.server.url, {
        username: fixture.server.projectId,
        password: chatOnly.token,
      }).request(method, "/auth/verify?permission=chat");
      expect(response.status, method).toBe(200);
    }
  });

  test("an unknown permission= is a 400 naming the valid ones", async () => {
    const response = await verify(full.token, "?permission=voice");
    expect(response.status).toBe(400);
    expect(response.body.error).toContain("calling, chat, datasphere");
  });

  test("a subproject's token verifies as that subproject", async () => {
    const created = await fixture.http.request("POST", `${COMPAT}/Accounts`, {
      json: { FriendlyName: "Verified child" },
    });
    const token = await fixture.http.request("POST", fixture.api.tokens(), {
      json: { name: "child", permissions: ["video"], subproject_id: created.body.sid },
    });
    const response = await new HttpClient(fixture.server.url, {
      username: created.body.sid,
      password: token.body.token,
    }).request("GET", "/auth/verify?permission=video");
    expect(response.status).toBe(200);
    expect(response.headers.get("x-tokenspace-project-id")).toBe(created.body.sid);
  });

  test("an allowed verification is logged at debug only; a refused one at info", async () => {
    const marker = crypto.randomUUID();
    const requestLines = () =>
      fixture.server
        .logs()
        .split("\n")
        .filter((line) => line.includes(marker));
    expect((await verify(full.token, `?${marker}=1`)).status).toBe(200);
    expect((await verify(`PT${"5".repeat(48)}`, `?${marker}=2`)).status).toBe(401);
    // The log stream is written in batches: the refused line's presence shows the batch came.
    await vi.waitFor(() => expect(requestLines()).toHaveLength(1), { timeout: 2000 });
    expect(JSON.parse(requestLines()[0] ?? "{}")).toMatchObject({ statusCode: 401, level: 30 });
  });

  test("a deleted token is refused on the next request", async () => {
    const doomed = await fixture.api.createToken("doomed", ["chat"]);
    expect((await verify(doomed.token)).status).toBe(200);
    await fixture.http.request("DELETE", fixture.api.token(doomed.id));
    expect((await verify(doomed.token)).status).toBe(401);
  });
});

describe("/auth/verify with a rules file", () => {
  const fixture = useTestServer({
    env: { TOKENSPACE_VERIFY_RULES: EXAMPLE_RULES },
  });

  test("the rule for the forwarded method and longest path prefix decides", async () => {
    const chatOnly = await fixture.api.createToken("chat only", ["chat"]);
    const as = (headers: Record<string, string>) =>
      new HttpClient(fixture.server.url, {
        username: fixture.server.projectId,
        password: chatOnly.token,
      }).request("GET", "/auth/verify", { headers });
    expect(
      (await as({ "x-forwarded-method": "POST", "x-forwarded-uri": "/chat/rooms?x=1" })).status,
    ).toBe(200);
    expect(
      (await as({ "x-forwarded-method": "POST", "x-forwarded-uri": "/messages" })).status,
    ).toBe(403);
    expect(
      (await as({ "x-forwarded-method": "GET", "x-original-uri": "/messages/archive" })).status,
    ).toBe(200);
    expect(
      (await as({ "x-forwarded-method": "DELETE", "x-forwarded-uri": "/admin/x" })).status,
    ).toBe(403);
    expect((await as({ "x-forwarded-uri": "/public" })).status).toBe(200);
  });
});

describe("a rules file that does not parse", () => {
  test("stops the start, naming the line", async () => {
    const directory = mkdtempSync(join(tmpdir(), "tokenspace-rules-"));
    const database = await createTestDatabase(directory);
    const rules = join(directory, "broken-rules");
    writeFileSync(rules, "# comment\nGET /calls calling\nPOST /messages voice\n");
    const result = await runCli(["serve", "--port", "0"], {
      env: { ...database.env, DATABASE_URL: database.url, TOKENSPACE_VERIFY_RULES: rules },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${rules} line 3`);
    expect(result.stderr).toContain('"voice" is not a permission');
  });
});

describe("/auth/verify over the failed-authentication budget", () => {
  const fixture = useTestServer({ env: { TOKENSPACE_AUTH_FAILURES_PER_MINUTE: "3" } });

  test("stays a 401 with the challenge, saying why, and a valid token still verifies", async () => {
    const wrong = new HttpClient(fixture.server.url, {
      username: fixture.server.projectId,
      password: `PT${"0".repeat(48)}`,
    });
    for (let attempt = 0; attempt < 3; attempt++) {
      expect((await wrong.request("GET", "/auth/verify")).status).toBe(401);
    }
    const over = await wrong.request("GET", "/auth/verify");
    expect(over.status).toBe(401);
    expect(over.headers.get("www-authenticate")).toBe('Basic realm="Tokenspace"');
    expect(over.body.error).toContain("Too many failed authentications");
    expect((await fixture.http.request("GET", "/auth/verify")).status).toBe(200);
  });

  test("says in Retry-After when the budget renews, as its message tells", async () => {
    const wrong = new HttpClient(fixture.server.url, {
      username: fixture.server.projectId,
      password: newSecret(),
    });
    let over = await wrong.request("GET", "/auth/verify");
    for (let attempt = 0; attempt < 3 && over.headers.get("retry-after") === null; attempt++) {
      over = await wrong.request("GET", "/auth/verify");
    }
    expect(over.status).toBe(401);
    const seconds = Number(over.headers.get("retry-after"));
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(60);
    expect(over.body.error).toContain(`Retry after ${seconds} seconds (the Retry-After header)`);
  });
});

describe("/auth/verify answered from the cache, before the framework", () => {
  const EXT = "/api/tokenspace";
  const fixture = useTestServer({
    env: { TOKENSPACE_TRUST_PROXY: "true", LOG_LEVEL: "info" },
  });
  const create = async (body: Record<string, unknown> = {}) => {
    const response = await fixture.http.request("POST", `${EXT}/tokens`, {
      json: { name: "verified", permissions: ["chat"], ...body },
    });
    expect(response.status, response.text).toBe(201);
    return response.body as { id: string; token: string };
  };
  const verify = (token: string, query: string, headers: Record<string, string> = {}) =>
    new HttpClient(fixture.server.url, {
      username: fixture.server.projectId,
      password: token,
    }).request("GET", `/auth/verify${query}`, { headers });
  /** The answer's fields but those that differ between any two answers. */
  const lasting = (headers: Headers) =>
    [...headers].filter(([name]) => !["x-request-id", "date", "ratelimit"].includes(name));

  test("carries the fields the framework's answer carries", async () => {
    const plain = await create();
    const limited = await create({ rate_limit: { limit: 1000, window: "1h" }, uses_remaining: 50 });
    for (const { token } of [plain, limited]) {
      await verify(token, "?permission=chat");
      const cached = await verify(token, "?permission=chat");
      // A query key the fast path does not read leaves the request to the framework.
      const framework = await verify(token, "?permission=chat&via=framework");
      expect(cached.status).toBe(200);
      expect(framework.status).toBe(200);
      const usesLeft = (headers: Headers) => Number(headers.get("x-tokenspace-uses-remaining"));
      const comparable = (headers: Headers) =>
        lasting(headers).filter(([name]) => name !== "x-tokenspace-uses-remaining");
      expect(comparable(cached.headers)).toEqual(comparable(framework.headers));
      expect(cached.headers.get("ratelimit") === null).toBe(
        framework.headers.get("ratelimit") === null,
      );
      if (token === limited.token)
        expect(usesLeft(framework.headers)).toBe(usesLeft(cached.headers) - 1);
    }
  });

  test("echoes the request id offered, as every answer does", async () => {
    const { token } = await create();
    await verify(token, "?permission=chat");
    const answered = await verify(token, "?permission=chat", { "x-request-id": "proxy-request-7" });
    expect(answered.headers.get("x-request-id")).toBe("proxy-request-7");
  });

  test("notes the client a trusted proxy names as the token's last-used address", async () => {
    const { id, token } = await create();
    await verify(token, "?permission=chat", { "x-forwarded-for": "198.51.100.1" });
    await verify(token, "?permission=chat", { "x-forwarded-for": "203.0.113.7" });
    await fixture.server.server.tokenspace.usage.flush();
    const fetched = await fixture.http.request("GET", `${EXT}/tokens/${id}`);
    expect(fetched.body.last_used_ip).toBe("203.0.113.7");
  });

  test("a refusal by permissions or limits is the route's answer", async () => {
    const { token } = await create({ uses_remaining: 1 });
    expect((await verify(token, "?permission=chat")).status).toBe(200);
    const forbidden = await verify(token, "?permission=fax");
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get("x-tokenspace-reason")).toBe("forbidden");
    expect(forbidden.body.error).toContain("fax");
    const exhausted = await verify(token, "?permission=chat");
    expect(exhausted.status).toBe(429);
    expect(exhausted.body).toEqual({ error: "This API token has no uses left." });
  });
});

describe("/auth/verify at LOG_LEVEL=debug", () => {
  const fixture = useTestServer({ env: { LOG_LEVEL: "debug" } });

  test("every allowed verification has its line, the cached ones too", async () => {
    const { token } = await fixture.api.createToken("logged", ["chat"]);
    const marker = crypto.randomUUID();
    const as = new HttpClient(fixture.server.url, {
      username: fixture.server.projectId,
      password: token,
    });
    for (const attempt of [1, 2, 3]) {
      const response = await as.request("GET", "/auth/verify?permission=chat", {
        headers: { "x-request-id": `${marker}-${attempt}` },
      });
      expect(response.status).toBe(200);
    }
    const lines = () =>
      fixture.server
        .logs()
        .split("\n")
        .filter((line) => line.includes(marker));
    await vi.waitFor(() => expect(lines()).toHaveLength(3), { timeout: 2000 });
    for (const line of lines()) {
      expect(JSON.parse(line)).toMatchObject({ statusCode: 200, level: 20 });
    }
  });
});
