import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, inject, test, vi } from "vitest";
import { COMPAT } from "./support/compat.js";
import { HttpClient } from "./support/http-client.js";
import { TEST_STORE } from "./support/test-database.js";
import { newSecret, startTestServer, type TestServer } from "./support/test-server.js";

const WRONG = `PT${"0".repeat(48)}`;
const REDIS_URL = inject("redisUrl") ?? "";
const withRedis = REDIS_URL !== "";

describe("failed authentications are throttled, valid credentials never", () => {
  const servers: TestServer[] = [];
  const start = async (env: Record<string, string>, share?: TestServer) => {
    const server = await startTestServer({
      env,
      ...(share && {
        database: share.database,
        credentials: { projectId: share.projectId, token: share.token },
      }),
    });
    servers.push(server);
    return server;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  const tokens = (server: TestServer) => `${COMPAT}/Accounts/${server.projectId}/tokens`;
  const guess = (
    server: TestServer,
    headers: Record<string, string> = {},
    project = server.projectId,
  ) =>
    new HttpClient(server.url, { username: project, password: WRONG }).request(
      "GET",
      `${COMPAT}/Accounts/${project}/tokens`,
      { headers },
    );
  /** Asks for the project's tokens with this secret. */
  const present = (server: TestServer, secret: string, project = server.projectId) =>
    new HttpClient(server.url, { username: project, password: secret }).request(
      "GET",
      `${COMPAT}/Accounts/${project}/tokens`,
    );
  /** A server with metrics, whose failed-authentication budget (3) this address has spent. */
  const overBudget = async () => {
    const server = await start({
      TOKENSPACE_AUTH_FAILURES_PER_MINUTE: "3",
      TOKENSPACE_METRICS: "1",
    });
    for (let index = 0; index < 6; index++) await guess(server);
    return server;
  };
  /** The store lookups of secrets this server has made, from its metrics. */
  const digestLookups = async (server: TestServer) => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const line =
      /tokenspace_store_query_duration_seconds_count\{operation="findTokenByDigests"\} (\d+)/.exec(
        text,
      );
    return Number(line?.[1] ?? 0);
  };
  const valid = (server: TestServer) =>
    new HttpClient(server.url, { username: server.projectId, password: server.token }).request(
      "GET",
      tokens(server),
    );

  test("over the budget, a wrong token gets 429 with Retry-After in the surface's shape", async () => {
    const server = await start({ TOKENSPACE_AUTH_FAILURES_PER_MINUTE: "5" });
    for (let index = 0; index < 5; index++) expect((await guess(server)).status).toBe(401);
    const refused = await guess(server);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect(refused.body).toMatchObject({ code: 20429, status: 429 });
    expect(refused.body.message).toContain("failed authentications");
    const native = await new HttpClient(server.url, {
      username: server.projectId,
      password: WRONG,
    }).request("GET", "/api/project/tokens");
    expect(native.status).toBe(429);
    expect(native.body).toEqual({ error: "Too Many Requests" });
  });

  test("refusals from over the budget are logged at debug and counted; the one that crossed it at warn", async () => {
    const server = await start({
      TOKENSPACE_AUTH_FAILURES_PER_MINUTE: "2",
      TOKENSPACE_METRICS: "1",
    });
    const marker = randomUUID();
    const statuses: number[] = [];
    for (let index = 0; index < 5; index++) statuses.push((await guess(server, {}, marker)).status);
    expect(statuses).toEqual([401, 401, 429, 429, 429]);

    const lines = () =>
      server
        .logs()
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    await vi.waitFor(() => expect(lines().some((line) => line.level === 40)).toBe(true), {
      timeout: 2000,
    });
    const requestLines = lines().filter(
      (line) => line.msg === "request" && String(line.url).includes(marker),
    );
    expect(requestLines.map((line) => line.statusCode)).toEqual([401, 401]);
    const warnings = lines().filter((line) => line.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toContain("failed authentications");
    // Logged through the request's own logger: under its request id.
    expect(warnings[0]?.reqId).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('tokenspace_auth_failures_total{budget="within"} 2');
    expect(metrics).toContain('tokenspace_auth_failures_total{budget="over"} 3');
  });

  test("a credential that verifies is never refused by the failure budget", async () => {
    const server = await start({ TOKENSPACE_AUTH_FAILURES_PER_MINUTE: "3" });
    for (let index = 0; index < 6; index++) await guess(server);
    expect((await guess(server)).status).toBe(429);
    expect((await valid(server)).status).toBe(200);
    const write = await new HttpClient(server.url, {
      username: server.projectId,
      password: server.token,
    }).request("POST", tokens(server), { json: { name: "still fine", permissions: ["chat"] } });
    expect(write.status).toBe(200);
  });

  test("over the budget, a token this node has not verified yet is checked against the store and accepted", async () => {
    const server = await start({ TOKENSPACE_AUTH_FAILURES_PER_MINUTE: "3" });
    const created = await new HttpClient(server.url, {
      username: server.projectId,
      password: server.token,
    }).request("POST", tokens(server), { json: { name: "new", permissions: ["management"] } });
    for (let index = 0; index < 6; index++) await guess(server);
    expect((await guess(server)).status).toBe(429);
    const fresh = new HttpClient(server.url, {
      username: server.projectId,
      password: created.body.token,
    });
    expect((await fresh.request("GET", tokens(server))).status).toBe(200);
    // Known to verify now: its writes are checked against the store each time, and not paced.
    for (let index = 0; index < 5; index++) {
      const write = await fresh.request("POST", tokens(server), {
        json: { name: `write ${index}`, permissions: ["chat"] },
      });
      expect(write.status).toBe(200);
    }
  });

  test("over the budget, guessing from one address costs the store 20 lookups a second at most, whatever the project ids", async () => {
    const server = await overBudget();
    const before = await digestLookups(server);
    const started = performance.now();
    const guesses = await Promise.all(
      Array.from({ length: 300 }, (_, index) =>
        present(server, newSecret(), index % 2 === 0 ? server.projectId : randomUUID()),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    expect(new Set(guesses.map((response) => response.status))).toEqual(new Set([429]));
    // Turns come 50 ms apart and none is more than 3 s ahead: a few dozen lookups, not 300.
    const looked = (await digestLookups(server)) - before;
    expect(looked).toBeLessThanOrEqual(Math.floor(seconds * 20) + 1);
    expect(looked).toBeLessThan(100);
  });

  test("over the budget, concurrent retries of one unknown secret share a single paced lookup", async () => {
    const server = await overBudget();
    const before = await digestLookups(server);
    // Other unknown secrets take the address's next turns, so the retries arrive before theirs.
    const others = Array.from({ length: 3 }, () => present(server, newSecret()));
    const secret = newSecret();
    const retries = await Promise.all(Array.from({ length: 32 }, () => present(server, secret)));
    await Promise.all(others);
    expect(new Set(retries.map((response) => response.status))).toEqual(new Set([429]));
    expect((await digestLookups(server)) - before).toBe(others.length + 1);
  });

  test("malformed credentials count as failures; a missing header does not", async () => {
    const server = await start({ TOKENSPACE_AUTH_FAILURES_PER_MINUTE: "3" });
    for (let index = 0; index < 10; index++) {
      const anonymous = await new HttpClient(server.url, { username: "", password: "" }).request(
        "GET",
        tokens(server),
        { auth: null },
      );
      expect(anonymous.status).toBe(401);
    }
    const malformed = () =>
      new HttpClient(server.url, { username: "", password: "" }).request("GET", tokens(server), {
        auth: null,
        headers: { authorization: "Basic !!!" },
      });
    for (let index = 0; index < 3; index++) expect((await malformed()).status).toBe(401);
    expect((await malformed()).status).toBe(429);
  });

  test("a valid token without management is not a failed authentication", async () => {
    const server = await start({ TOKENSPACE_AUTH_FAILURES_PER_MINUTE: "2" });
    const created = await new HttpClient(server.url, {
      username: server.projectId,
      password: server.token,
    }).request("POST", tokens(server), { json: { name: "chat only", permissions: ["chat"] } });
    const chatOnly = new HttpClient(server.url, {
      username: server.projectId,
      password: created.body.token,
    });
    for (let index = 0; index < 5; index++) {
      expect((await chatOnly.request("GET", tokens(server))).status).toBe(401);
    }
    expect((await guess(server)).status).toBe(401);
  });

  test("failures are also counted per project id, whatever address they come from", async () => {
    const server = await start({
      TOKENSPACE_AUTH_FAILURES_PER_MINUTE: "4",
      TOKENSPACE_TRUST_PROXY: "true",
    });
    for (let index = 0; index < 4; index++) {
      expect((await guess(server, { "x-forwarded-for": `203.0.113.${index}` })).status).toBe(401);
    }
    expect((await guess(server, { "x-forwarded-for": "203.0.113.99" })).status).toBe(429);
    const otherProject = randomUUID();
    expect((await guess(server, { "x-forwarded-for": "198.51.100.7" }, otherProject)).status).toBe(
      401,
    );
  });

  test("without TOKENSPACE_TRUST_PROXY, X-Forwarded-For does not name the client", async () => {
    const server = await start({ TOKENSPACE_AUTH_FAILURES_PER_MINUTE: "4" });
    for (let index = 0; index < 4; index++) {
      const spoofed = { "x-forwarded-for": `203.0.113.${index}` };
      expect((await guess(server, spoofed, randomUUID())).status).toBe(401);
    }
    expect((await guess(server, { "x-forwarded-for": "198.51.100.1" }, randomUUID())).status).toBe(
      429,
    );
  });

  test("TOKENSPACE_AUTH_FAILURES_PER_MINUTE=0 turns the throttle off", async () => {
    const server = await start({ TOKENSPACE_AUTH_FAILURES_PER_MINUTE: "0" });
    for (let index = 0; index < 40; index++) expect((await guess(server)).status).toBe(401);
  });

  test.skipIf(TEST_STORE !== "postgres")(
    "on PostgreSQL every node counts into the same budget",
    async () => {
      const first = await start({ TOKENSPACE_AUTH_FAILURES_PER_MINUTE: "5" });
      const second = await start({ TOKENSPACE_AUTH_FAILURES_PER_MINUTE: "5" }, first);
      for (let index = 0; index < 3; index++) expect((await guess(first)).status).toBe(401);
      for (let index = 0; index < 2; index++) expect((await guess(second)).status).toBe(401);
      expect((await guess(second)).status).toBe(429);
      expect((await guess(first)).status).toBe(429);
    },
  );

  test.skipIf(TEST_STORE !== "postgres")(
    "on PostgreSQL the per-project request limit is shared by every node too",
    async () => {
      const first = await start({ TOKENSPACE_RATE_LIMIT_PER_MINUTE: "4" });
      const second = await start({ TOKENSPACE_RATE_LIMIT_PER_MINUTE: "4" }, first);
      for (const server of [first, second, first, second]) {
        expect((await valid(server)).status).toBe(200);
      }
      expect((await valid(second)).status).toBe(429);
    },
  );

  describe.skipIf(!withRedis || TEST_STORE !== "postgres")("with TOKENSPACE_REDIS_URL", () => {
    let redis: Redis;
    beforeAll(() => {
      redis = new Redis(REDIS_URL);
    });
    afterAll(() => redis.quit());

    test("nodes count failed authentications together in Redis", async () => {
      const env = { TOKENSPACE_AUTH_FAILURES_PER_MINUTE: "5", TOKENSPACE_REDIS_URL: REDIS_URL };
      const first = await start(env);
      const second = await start(env, first);
      for (let index = 0; index < 3; index++) expect((await guess(first)).status).toBe(401);
      for (let index = 0; index < 2; index++) expect((await guess(second)).status).toBe(401);
      expect((await guess(second)).status).toBe(429);
      const keys = await redis.keys(`tokenspace:*:count:auth-failures:project:${first.projectId}`);
      expect(keys).toHaveLength(1);
      expect(Number(await redis.get(keys[0] ?? ""))).toBe(6);
    });
  });
});
