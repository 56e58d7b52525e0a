import { afterEach, describe, expect, test } from "vitest";
import { compatClient } from "./support/compat.js";
import { HttpClient } from "./support/http-client.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

/** One sample of a metric with exactly these labels, from Prometheus text. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text
    .split("\n")
    .find((row) =>
      row.startsWith(`${name}{`) || row.startsWith(`${name} `)
        ? wanted.every((label) => row.includes(label))
        : false,
    );
  return line === undefined ? 0 : Number(line.split(" ").at(-1));
}

describe("GET /metrics", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  test("is not served unless asked for", async () => {
    server = await startTestServer();
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
  });

  test("with TOKENSPACE_METRICS=1 it reports requests, verify outcomes, the cache, the store and revocations", async () => {
    server = await startTestServer({ env: { TOKENSPACE_METRICS: "1" } });
    const api = compatClient(server);
    const created = await api.createToken("measured", ["chat"]);
    await api.http.request("GET", api.token(created.id));
    await api.http.request("GET", api.token(created.id));
    const as = (token: string) =>
      new HttpClient(server?.url ?? "", { username: server?.projectId ?? "", password: token });
    await as(created.token).request("GET", "/auth/verify?permission=chat");
    await as(created.token).request("GET", "/auth/verify?permission=fax");
    await as(`PT${"0".repeat(48)}`).request("GET", "/auth/verify");

    const response = await fetch(`${server.url}/metrics`);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(
      sample(text, "tokenspace_http_requests_total", {
        route: "/api/laml/2010-04-01/Accounts/:AccountSid/tokens/:token_id",
        method: "GET",
        status: "200",
      }),
    ).toBe(2);
    expect(text).toContain("tokenspace_http_request_duration_seconds_bucket");
    for (const outcome of ["allowed", "forbidden", "unauthorized"]) {
      expect(sample(text, "tokenspace_verify_outcomes_total", { outcome })).toBe(1);
    }
    expect(sample(text, "tokenspace_auth_cache_lookups_total", { result: "hit" })).toBeGreaterThan(
      0,
    );
    expect(sample(text, "tokenspace_auth_cache_lookups_total", { result: "miss" })).toBeGreaterThan(
      0,
    );
    expect(
      sample(text, "tokenspace_store_query_duration_seconds_count", { operation: "insertToken" }),
    ).toBe(2); // the bootstrap token, and this test's
    expect(text).toContain("tokenspace_revocations_received_total");
  });

  test("counts every verification as a request of /auth/verify, those answered from the cache too", async () => {
    server = await startTestServer({ env: { TOKENSPACE_METRICS: "1" } });
    const created = await compatClient(server).createToken("verified", ["chat"]);
    const as = new HttpClient(server.url, { username: server.projectId, password: created.token });
    for (let attempt = 0; attempt < 3; attempt++) {
      expect((await as.request("GET", "/auth/verify?permission=chat")).status).toBe(200);
    }

    const text = await (await fetch(`${server.url}/metrics`)).text();
    const labels = { route: "/auth/verify", method: "GET", status: "200" };
    expect(sample(text, "tokenspace_http_requests_total", labels)).toBe(3);
    expect(sample(text, "tokenspace_http_request_duration_seconds_count", labels)).toBe(3);
    expect(sample(text, "tokenspace_verify_outcomes_total", { outcome: "allowed" })).toBe(3);
  });

  test("with TOKENSPACE_METRICS_PORT it is served on that port only", async () => {
    server = await startTestServer({ env: { TOKENSPACE_METRICS_PORT: "0" } });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    const metricsUrl = server.server.metricsUrl ?? "";
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const text = await (await fetch(metricsUrl)).text();
    expect(text).toContain("tokenspace_http_requests_total");
  });
});
