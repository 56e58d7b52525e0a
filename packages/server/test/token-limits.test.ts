import { fileURLToPath } from "node:url";
import { describe, expect, test, vi } from "vitest";
import { COMPAT } from "./support/compat.js";
import { useTestServer } from "./support/fixtures.js";
import { HttpClient } from "./support/http-client.js";
import { ManualClock } from "./support/manual-clock.js";

const EXT = "/api/tokenspace";
const SECOND = 1000;
const EXAMPLE_RULES = fileURLToPath(
  new URL("../../../examples/verify-rules.conf", import.meta.url),
);

interface Created {
  readonly id: string;
  readonly token: string;
  readonly rate_limit: unknown;
  readonly uses_remaining: number | null;
  readonly uses_refill: unknown;
}

describe("token limits on /api/tokenspace and /auth/verify", () => {
  const clock = new ManualClock();
  const fixture = useTestServer({ clock, env: { TOKENSPACE_VERIFY_RULES: EXAMPLE_RULES } });

  const create = async (body: Record<string, unknown> = {}): Promise<Created> => {
    const response = await fixture.http.request("POST", `${EXT}/tokens`, {
      json: { name: "limited", permissions: ["chat", "management"], ...body },
    });
    expect(response.status, response.text).toBe(201);
    return response.body as Created;
  };
  const patch = (id: string, json: unknown) =>
    fixture.http.request("PATCH", `${EXT}/tokens/${id}`, { json });
  const get = async (id: string) =>
    (await fixture.http.request("GET", `${EXT}/tokens/${id}`)).body as Created & {
      last_used_ip: string | null;
    };
  const as = (token: string, projectId = fixture.server.projectId) =>
    new HttpClient(fixture.server.url, { username: projectId, password: token });
  const verify = (token: string, query = "", headers: Record<string, string> = {}) =>
    as(token).request("GET", `/auth/verify${query}`, { headers });
  /** Writes what the server noted of its uses now, rather than at its next second. */
  const flushUsage = () => fixture.server.server.tokenspace.usage.flush();
  /** Moves the clock to the start of the next window of `windowMs`. */
  const nextWindow = (windowMs: number) =>
    clock.advance(windowMs - (clock.now().getTime() % windowMs));

  describe("the limit fields", () => {
    test("a token is created with a rate limit, uses and a refill, and shows them", async () => {
      const created = await create({
        rate_limit: { limit: 100, window: "1m" },
        uses_remaining: 5000,
        uses_refill: { amount: 5000, every: "30d" },
      });
      expect(created.rate_limit).toEqual({ limit: 100, window: "1m" });
      expect(created.uses_remaining).toBe(5000);
      expect(created.uses_refill).toEqual({ amount: 5000, every: "30d" });
      const fetched = await get(created.id);
      expect(fetched.rate_limit).toEqual({ limit: 100, window: "1m" });
      expect(fetched.uses_refill).toEqual({ amount: 5000, every: "30d" });
    });

    test("a window given in seconds reads back in the largest unit that divides it", async () => {
      const created = await create({ rate_limit: { limit: 10, window: 3600 } });
      expect(created.rate_limit).toEqual({ limit: 10, window: "1h" });
      const odd = await create({ rate_limit: { limit: 10, window: "90s" } });
      expect(odd.rate_limit).toEqual({ limit: 10, window: "90s" });
    });

    test("a token without limits has them null", async () => {
      const created = await create();
      expect(created).toMatchObject({ rate_limit: null, uses_remaining: null, uses_refill: null });
    });

    test("PATCH sets, changes and removes each limit", async () => {
      const created = await create();
      const limited = await patch(created.id, {
        rate_limit: { limit: 5, window: "1s" },
        uses_remaining: 10,
      });
      expect(limited.status, limited.text).toBe(200);
      expect(limited.body).toMatchObject({
        rate_limit: { limit: 5, window: "1s" },
        uses_remaining: 10,
      });
      const cleared = await patch(created.id, { rate_limit: null, uses_remaining: null });
      expect(cleared.body).toMatchObject({ rate_limit: null, uses_remaining: null });
    });

    test("a refill given alone to a token with unlimited uses starts them at its amount", async () => {
      const created = await create();
      const refilled = await patch(created.id, { uses_refill: { amount: 50, every: "1d" } });
      expect(refilled.body).toMatchObject({
        uses_remaining: 50,
        uses_refill: { amount: 50, every: "1d" },
      });
    });

    test("setting uses to null removes the refill with them", async () => {
      const created = await create({ uses_refill: { amount: 50, every: "1d" } });
      const unlimited = await patch(created.id, { uses_remaining: null });
      expect(unlimited.body).toMatchObject({ uses_remaining: null, uses_refill: null });
    });

    test.each([
      ["rate_limit", { limit: 0, window: "1m" }],
      ["rate_limit", { limit: -5, window: "1m" }],
      ["rate_limit", { limit: 10, window: "0s" }],
      ["rate_limit", { limit: 10, window: "2d" }],
      ["rate_limit", { limit: 10, window: "soon" }],
      ["rate_limit", { limit: 1.5, window: "1m" }],
      ["rate_limit", { limit: 10 }],
      ["rate_limit", 100],
      ["uses_remaining", -1],
      ["uses_remaining", 2.5],
      ["uses_remaining", "100"],
      ["uses_refill", { amount: 0, every: "1d" }],
      ["uses_refill", { amount: 10, every: "30s" }],
      ["uses_refill", { amount: 10, every: "400d" }],
      ["uses_refill", { amount: 10, every: "99999999999d" }],
      ["uses_remaining", 1e30],
      ["rate_limit", { limit: 1e308, window: "1m" }],
      ["rate_limit", { limit: 10, window: 1e300 }],
      ["rate_limit", { limit: 10, window: "1m", burst: 5 }],
      ["uses_refill", [10, "1d"]],
    ])("%s = %j is refused with a 422 naming it", async (attribute, value) => {
      const response = await fixture.http.request("POST", `${EXT}/tokens`, {
        json: { name: "bad", permissions: ["chat"], [attribute]: value },
      });
      expect(response.status).toBe(422);
      expect(response.body.errors[0].attribute).toBe(attribute);
      expect(response.body.errors[0].message).toContain(attribute);
    });

    test("a refill with uses set to null is refused, and nothing is created", async () => {
      const before = (await fixture.http.request("GET", `${EXT}/tokens?page_size=1000`)).body.data
        .length;
      const response = await fixture.http.request("POST", `${EXT}/tokens`, {
        json: {
          name: "bad",
          permissions: ["chat"],
          uses_remaining: null,
          uses_refill: { amount: 10, every: "1d" },
        },
      });
      expect(response.status).toBe(422);
      expect(response.body.errors[0].attribute).toBe("uses_refill");
      const after = (await fixture.http.request("GET", `${EXT}/tokens?page_size=1000`)).body.data
        .length;
      expect(after).toBe(before);
    });

    test("a PATCH refused over a limit field changes nothing", async () => {
      const created = await create({ name: "kept", uses_remaining: 7 });
      const refused = await patch(created.id, { name: "changed", uses_remaining: -7 });
      expect(refused.status).toBe(422);
      expect(await get(created.id)).toMatchObject({ uses_remaining: 7, name: "kept" });
    });
  });

  describe("reasons", () => {
    test("a wrong token, an unknown project and another project's id all say unauthenticated", async () => {
      const created = await create();
      const wrong = await verify(`PT${"0".repeat(48)}`);
      const unknownProject = await as(created.token, crypto.randomUUID()).request(
        "GET",
        "/auth/verify",
      );
      for (const refused of [wrong, unknownProject]) {
        expect(refused.status).toBe(401);
        expect(refused.headers.get("x-tokenspace-reason")).toBe("unauthenticated");
      }
    });

    test("a disabled token is 401 with reason disabled", async () => {
      const created = await create();
      await patch(created.id, { enabled: false });
      const refused = await verify(created.token);
      expect(refused.status).toBe(401);
      expect(refused.headers.get("x-tokenspace-reason")).toBe("disabled");
    });

    test("an expired token is 401 with reason expired", async () => {
      const created = await create({
        expires_at: new Date(clock.now().getTime() + 60 * SECOND).toISOString(),
      });
      expect((await verify(created.token)).status).toBe(200);
      clock.advance(60 * SECOND);
      const refused = await verify(created.token);
      expect(refused.status).toBe(401);
      expect(refused.headers.get("x-tokenspace-reason")).toBe("expired");
    });

    test("a disabled token presented with another project's id is unauthenticated", async () => {
      const created = await create();
      await patch(created.id, { enabled: false });
      const refused = await as(created.token, crypto.randomUUID()).request("GET", "/auth/verify");
      expect(refused.headers.get("x-tokenspace-reason")).toBe("unauthenticated");
    });

    test("a missing permission is 403 with reason forbidden", async () => {
      const created = await create({ permissions: ["chat"] });
      const refused = await verify(created.token, "?permission=fax");
      expect(refused.status).toBe(403);
      expect(refused.headers.get("x-tokenspace-reason")).toBe("forbidden");
    });
  });

  describe("rate limits at verification", () => {
    test("past the limit a verification is 429 rate_limited with Retry-After, until the window ends", async () => {
      nextWindow(60 * SECOND);
      const created = await create({ rate_limit: { limit: 3, window: "1m" } });
      for (let attempt = 0; attempt < 3; attempt++) {
        const allowed = await verify(created.token);
        expect(allowed.status).toBe(200);
        expect(allowed.headers.get("ratelimit-policy")).toBe('"token";q=3;w=60');
        expect(allowed.headers.get("ratelimit")).toBe(`"token";r=${2 - attempt};t=60`);
      }
      clock.advance(15 * SECOND);
      const refused = await verify(created.token);
      expect(refused.status).toBe(429);
      expect(refused.headers.get("x-tokenspace-reason")).toBe("rate_limited");
      expect(refused.headers.get("retry-after")).toBe("45");
      expect(refused.headers.get("ratelimit")).toBe('"token";r=0;t=45');
      expect(refused.body.error).toContain("rate limit");
      clock.advance(45 * SECOND);
      expect((await verify(created.token)).status).toBe(200);
    });

    test("over_limit_status=403 refuses with 403 for nginx, still saying why", async () => {
      const created = await create({ rate_limit: { limit: 1, window: "1h" } });
      nextWindow(3600 * SECOND);
      expect((await verify(created.token, "?over_limit_status=403")).status).toBe(200);
      const refused = await verify(created.token, "?over_limit_status=403");
      expect(refused.status).toBe(403);
      expect(refused.headers.get("x-tokenspace-reason")).toBe("rate_limited");
      expect(refused.headers.get("retry-after")).toBe("3600");
    });

    test("an over_limit_status other than 403 or 429 is a 400 that says which are accepted", async () => {
      const created = await create();
      const response = await verify(created.token, "?over_limit_status=500");
      expect(response.status).toBe(400);
      expect(response.body.error).toContain("429");
    });

    test("a refused permission spends no rate", async () => {
      nextWindow(60 * SECOND);
      const created = await create({
        permissions: ["chat"],
        rate_limit: { limit: 1, window: "1m" },
      });
      expect((await verify(created.token, "?permission=fax")).status).toBe(403);
      expect((await verify(created.token)).status).toBe(200);
    });

    test("a new limit set by PATCH applies to the next verification", async () => {
      nextWindow(60 * SECOND);
      const created = await create();
      expect((await verify(created.token)).status).toBe(200);
      await patch(created.id, { rate_limit: { limit: 1, window: "1m" } });
      expect((await verify(created.token)).status).toBe(200);
      expect((await verify(created.token)).status).toBe(429);
      await patch(created.id, { rate_limit: null });
      const unlimited = await verify(created.token);
      expect(unlimited.status).toBe(200);
      expect(unlimited.headers.get("ratelimit")).toBeNull();
    });
  });

  describe("uses at verification", () => {
    test("each allowed verification spends one use, then usage_exceeded is 429", async () => {
      const created = await create({ uses_remaining: 3 });
      for (const left of [2, 1, 0]) {
        const allowed = await verify(created.token);
        expect(allowed.status).toBe(200);
        expect(allowed.headers.get("x-tokenspace-uses-remaining")).toBe(String(left));
      }
      const refused = await verify(created.token);
      expect(refused.status).toBe(429);
      expect(refused.headers.get("x-tokenspace-reason")).toBe("usage_exceeded");
      expect((await get(created.id)).uses_remaining).toBe(0);
    });

    test("a verification refused over the rate spends no use", async () => {
      nextWindow(60 * SECOND);
      const created = await create({ uses_remaining: 5, rate_limit: { limit: 1, window: "1m" } });
      expect((await verify(created.token)).status).toBe(200);
      expect((await verify(created.token)).status).toBe(429);
      expect((await get(created.id)).uses_remaining).toBe(4);
    });

    test("uses come back to the refill's amount once its period has passed", async () => {
      const created = await create({ uses_remaining: 1, uses_refill: { amount: 2, every: "1h" } });
      expect((await verify(created.token)).status).toBe(200);
      expect((await verify(created.token)).status).toBe(429);
      clock.advance(3600 * SECOND);
      expect((await get(created.id)).uses_remaining).toBe(2);
      expect((await verify(created.token)).headers.get("x-tokenspace-uses-remaining")).toBe("1");
      expect((await verify(created.token)).status).toBe(200);
      expect((await verify(created.token)).status).toBe(429);
    });

    test("uses set by PATCH take effect at once, replacing what was left", async () => {
      const created = await create({ uses_remaining: 1 });
      expect((await verify(created.token)).status).toBe(200);
      expect((await verify(created.token)).status).toBe(429);
      clock.advance(SECOND);
      await patch(created.id, { uses_remaining: 2 });
      expect((await verify(created.token)).status).toBe(200);
      expect((await verify(created.token)).status).toBe(200);
      expect((await verify(created.token)).status).toBe(429);
    });

    test("concurrent verifications never spend more uses than the token has", async () => {
      const created = await create({ uses_remaining: 40 });
      const statuses = await Promise.all(
        Array.from({ length: 60 }, () => verify(created.token).then((response) => response.status)),
      );
      expect(statuses.filter((status) => status === 200)).toHaveLength(40);
      expect(statuses.filter((status) => status === 429)).toHaveLength(20);
    });

    test("a token's own Tokens API calls spend neither uses nor rate", async () => {
      nextWindow(60 * SECOND);
      const created = await create({ uses_remaining: 1, rate_limit: { limit: 1, window: "1m" } });
      for (let call = 0; call < 3; call++) {
        const listed = await as(created.token).request(
          "GET",
          `${COMPAT}/Accounts/${fixture.server.projectId}/tokens`,
        );
        expect(listed.status).toBe(200);
      }
      expect((await get(created.id)).uses_remaining).toBe(1);
      expect((await verify(created.token)).status).toBe(200);
    });
  });

  describe("introspection", () => {
    const introspect = (token: string) =>
      fixture.http.request("POST", "/auth/introspect", { json: { token } });

    test("spends the token's uses and rate, then is inactive saying why", async () => {
      nextWindow(60 * SECOND);
      const created = await create({ rate_limit: { limit: 2, window: "1m" }, uses_remaining: 10 });
      const active = await introspect(created.token);
      expect(active.body.active).toBe(true);
      expect(active.headers.get("ratelimit")).toBe('"token";r=1;t=60');
      expect(active.headers.get("x-tokenspace-uses-remaining")).toBe("9");
      expect((await introspect(created.token)).body.active).toBe(true);
      const limited = await introspect(created.token);
      expect(limited.status).toBe(200);
      expect(limited.body).toEqual({ active: false });
      expect(limited.headers.get("x-tokenspace-reason")).toBe("rate_limited");
      expect(limited.headers.get("retry-after")).toBe("60");
    });

    test("a disabled token is inactive with reason disabled; an unknown one unauthenticated", async () => {
      const created = await create();
      await patch(created.id, { enabled: false });
      const disabled = await introspect(created.token);
      expect(disabled.body).toEqual({ active: false });
      expect(disabled.headers.get("x-tokenspace-reason")).toBe("disabled");
      const unknown = await introspect(`PT${"1".repeat(48)}`);
      expect(unknown.headers.get("x-tokenspace-reason")).toBe("unauthenticated");
    });
  });

  describe("Envoy's HTTP ext_authz", () => {
    /** A check as Envoy's http_service sends it: the original method and path under the prefix. */
    const check = (
      token: string,
      method: string,
      path: string,
      headers: Record<string, string> = {},
    ) => as(token).request(method, `/auth/envoy${path}`, { headers });

    test("an allowed request is 200 with the x-tokenspace headers for the upstream", async () => {
      const created = await create({ permissions: ["chat"] });
      const allowed = await check(created.token, "POST", "/chat/rooms?x=1", {
        "content-length": "0",
      });
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get("x-tokenspace-token-id")).toBe(created.id);
      expect(allowed.headers.get("x-tokenspace-project-id")).toBe(fixture.server.projectId);
      expect(allowed.headers.get("x-tokenspace-permissions")).toBe("chat");
    });

    test("the rules file applies to the original method and path", async () => {
      const created = await create({ permissions: ["chat"] });
      expect((await check(created.token, "GET", "/messages/archive")).status).toBe(200);
      const refused = await check(created.token, "POST", "/messages");
      expect(refused.status).toBe(403);
      expect(refused.headers.get("x-tokenspace-reason")).toBe("forbidden");
      expect((await check(created.token, "DELETE", "/admin/x")).status).toBe(403);
    });

    test("the guarded request's query never reaches the log", async () => {
      const marker = crypto.randomUUID();
      const refused = await check(
        `PT${"4".repeat(48)}`,
        "GET",
        `/chat/${marker}?api_key=hidden-${marker}`,
      );
      expect(refused.status).toBe(401);
      await vi.waitFor(
        () => expect(fixture.server.logs()).toContain(`/auth/envoy/chat/${marker}`),
        {
          timeout: 2000,
        },
      );
      expect(fixture.server.logs()).not.toContain(`hidden-${marker}`);
    });

    test("a body Envoy forwards is read and ignored, whatever its type", async () => {
      const created = await create({ permissions: ["chat"] });
      const withBody = await as(created.token).request("PUT", "/auth/envoy/chat/1", {
        headers: { "content-type": "application/xml" },
        raw: "<not-json/>",
      });
      expect(withBody.status).toBe(200);
    });

    test("refusals say why: unauthenticated 401, over the rate 429 with Retry-After", async () => {
      nextWindow(60 * SECOND);
      const created = await create({
        permissions: ["chat"],
        rate_limit: { limit: 1, window: "1m" },
      });
      const wrong = await check(`PT${"2".repeat(48)}`, "GET", "/chat");
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get("x-tokenspace-reason")).toBe("unauthenticated");
      expect((await check(created.token, "GET", "/chat")).status).toBe(200);
      const limited = await check(created.token, "GET", "/chat");
      expect(limited.status).toBe(429);
      expect(limited.headers.get("x-tokenspace-reason")).toBe("rate_limited");
      expect(limited.headers.get("retry-after")).toBe("60");
    });
  });

  describe("usage", () => {
    test("a token's verifications are counted, allowed and refused, within 5 seconds", async () => {
      const created = await create({ permissions: ["chat"] });
      for (let call = 0; call < 3; call++) await verify(created.token);
      await verify(created.token, "?permission=fax");
      await vi.waitFor(
        async () => {
          const usage = await fixture.http.request(
            "GET",
            `${EXT}/tokens/${created.id}/usage?since=1h&granularity=minute`,
          );
          expect(usage.status).toBe(200);
          expect(usage.body).toMatchObject({ granularity: "minute", allowed: 3, refused: 1 });
          const counted = usage.body.buckets.filter(
            (bucket: { allowed: number; refused: number }) => bucket.allowed + bucket.refused > 0,
          );
          expect(counted).toEqual([{ start: expect.any(String), allowed: 3, refused: 1 }]);
        },
        { timeout: 5000, interval: 200 },
      );
    });

    test("every bucket of the period is present, oldest first, by the hour and the day", async () => {
      const created = await create();
      const hourly = await fixture.http.request(
        "GET",
        `${EXT}/tokens/${created.id}/usage?since=7d&granularity=hour`,
      );
      expect(hourly.body.buckets.length).toBeGreaterThanOrEqual(7 * 24);
      expect(hourly.body.buckets.length).toBeLessThanOrEqual(7 * 24 + 1);
      const starts = hourly.body.buckets.map((bucket: { start: string }) =>
        Date.parse(bucket.start),
      );
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
      expect(starts.every((start: number) => start % 3_600_000 === 0)).toBe(true);
      const daily = await fixture.http.request(
        "GET",
        `${EXT}/tokens/${created.id}/usage?since=30d&granularity=day`,
      );
      expect(daily.body.buckets.length).toBe(31);
    });

    test("the project's totals add up every token's verifications", async () => {
      const first = await create();
      const second = await create();
      await flushUsage();
      const before = (await fixture.http.request("GET", `${EXT}/usage?since=1h`)).body.allowed;
      await verify(first.token);
      await verify(second.token);
      await verify(second.token);
      await flushUsage();
      const totals = await fixture.http.request("GET", `${EXT}/usage?since=1h`);
      expect(totals.status).toBe(200);
      expect(totals.body.allowed - before).toBe(3);
    });

    test("a bad granularity, a future since or too many buckets is a 422 naming the parameter", async () => {
      const created = await create();
      const usage = (query: string) =>
        fixture.http.request("GET", `${EXT}/tokens/${created.id}/usage?${query}`);
      const badGranularity = await usage("granularity=week");
      expect(badGranularity.status).toBe(422);
      expect(badGranularity.body.errors[0].attribute).toBe("granularity");
      const future = await usage("since=2999-01-01T00:00:00Z");
      expect(future.body.errors[0].attribute).toBe("since");
      const tooMany = await usage("since=30d&granularity=minute");
      expect(tooMany.status).toBe(422);
      expect(tooMany.body.errors[0].message).toContain("granularity=hour");
    });

    test("another project's token's usage is not found", async () => {
      const response = await fixture.http.request(
        "GET",
        `${EXT}/tokens/${crypto.randomUUID()}/usage`,
      );
      expect(response.status).toBe(404);
    });
  });

  test("last_used_ip records the client address beside last_used_at", async () => {
    const created = await create();
    await verify(created.token);
    await flushUsage();
    expect((await get(created.id)).last_used_ip).toBe("127.0.0.1");
  });
});
