import { describe, expect, test } from "vitest";
import { useTestServer } from "./support/fixtures.js";

describe("with TOKENSPACE_RATE_LIMIT_PER_MINUTE set", () => {
  const fixture = useTestServer({ env: { TOKENSPACE_RATE_LIMIT_PER_MINUTE: "5" } });

  test("a project over its budget gets 429 with Retry-After in each surface's shape, while health checks are never limited", async () => {
    const { api, http } = fixture;
    const answers = [];
    for (let index = 0; index < 5; index++)
      answers.push((await http.request("GET", api.tokens())).status);
    expect(answers).toEqual([200, 200, 200, 200, 200]);

    const compat = await http.request("GET", api.tokens());
    expect(compat.status).toBe(429);
    expect(Number(compat.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(compat.body).toEqual({
      code: 20429,
      message: expect.stringContaining("at most 5 a minute"),
      more_info: expect.any(String),
      status: 429,
    });

    const native = await http.request("GET", "/api/project/tokens");
    expect(native.status).toBe(429);
    expect(native.body).toEqual({ error: "Too Many Requests" });
    expect(Number(native.headers.get("retry-after"))).toBeGreaterThan(0);

    expect((await http.request("GET", "/healthz", { auth: null })).status).toBe(200);
  });

  test("refused credentials are answered 401, not 429: authentication comes before the budget", async () => {
    const { api, http } = fixture;
    const wrong = http.withCredentials(fixture.server.projectId, `PT${"0".repeat(48)}`);
    const status = (await wrong.request("GET", api.tokens())).status;
    expect(status).toBe(401);
  });
});
