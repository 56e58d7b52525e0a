import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { COMPAT } from "./support/compat.js";
import { useTestServer } from "./support/fixtures.js";
import { describeRequest, hostileRequest, nestedBody } from "./support/hostile-requests.js";

const NATIVE = "/api/project";
const huge = (items: number) => Array.from({ length: items }, (_, index) => `x${index}`);
const manyX = (items: number): string[] => new Array(items).fill("x");

describe("hostile input costs little, answers small, and changes nothing", () => {
  const fixture = useTestServer();
  const accounts = `${COMPAT}/Accounts`;
  let subprojectSid: string;
  let existing: { id: string };

  beforeAll(async () => {
    const created = await fixture.http.request("POST", accounts, { json: { FriendlyName: "Sub" } });
    subprojectSid = created.body.sid;
    existing = await fixture.api.createToken("existing", ["chat"]);
  });

  /** Everything a refused request could have changed. */
  const state = async () => ({
    tokens: (await fixture.http.request("GET", `${fixture.api.tokens()}?PageSize=1000`)).body,
    accounts: (await fixture.http.request("GET", `${accounts}?PageSize=1000`)).body,
  });

  test("a permission list of 250 000 items is one 422 of a few hundred bytes, on both surfaces", async () => {
    for (const path of [fixture.api.tokens(), `${NATIVE}/tokens`]) {
      const response = await fixture.http.request("POST", path, {
        json: { name: "n", permissions: manyX(250_000) },
      });
      expect(response.status).toBe(422);
      expect(response.text.length).toBeLessThan(1024);
      expect(response.text).toContain("at most 64 items");
    }
  });

  test("the same list sent as a form is refused the same way", async () => {
    const form = `name=n&${manyX(60_000)
      .map((value) => `permissions=${value}`)
      .join("&")}`;
    const response = await fixture.http.request("POST", fixture.api.tokens(), { form });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ attribute: "permissions" });
  });

  test("a 422 lists at most 20 problems, each message short", async () => {
    const permissions = Array.from({ length: 64 }, () => "y".repeat(10_000));
    const response = await fixture.http.request("POST", `${NATIVE}/tokens`, {
      json: { name: "n", permissions },
    });
    expect(response.status).toBe(422);
    expect(response.body.errors).toHaveLength(20);
    expect(response.text.length).toBeLessThan(10_240);
  });

  test("JSON nested 4 110 levels deep is a 400 in each surface's shape", async () => {
    const compat = await fixture.http.request("POST", fixture.api.tokens(), {
      raw: nestedBody(4110),
      headers: { "content-type": "application/json" },
    });
    expect(compat.status).toBe(400);
    expect(compat.body).toMatchObject({ code: 10000, status: 400 });
    expect(compat.body.message).toContain("nested more than 16 levels");
    const native = await fixture.http.request("POST", `${NATIVE}/tokens`, {
      raw: nestedBody(4110),
      headers: { "content-type": "application/json" },
    });
    expect(native.status).toBe(400);
    expect(native.body).toEqual({ error: "Bad Request" });
  });

  test("brackets inside strings do not count as nesting", async () => {
    const response = await fixture.http.request("POST", fixture.api.tokens(), {
      json: { name: "[".repeat(200), permissions: ["chat"] },
    });
    expect(response.status).toBe(200);
  });

  test("a body with thousands of fields is one 400", async () => {
    const json = Object.fromEntries(huge(5000).map((key) => [key, 1]));
    const response = await fixture.http.request("POST", fixture.api.tokens(), { json });
    expect(response.status).toBe(400);
    expect(response.text.length).toBeLessThan(1024);
  });

  test("an unknown field with a huge name is quoted shortened", async () => {
    const response = await fixture.http.request("POST", fixture.api.tokens(), {
      json: { ["k".repeat(100_000)]: 1, name: "n", permissions: ["chat"] },
    });
    expect(response.status).toBe(422);
    expect(response.text.length).toBeLessThan(2048);
  });

  test.each([
    ["NUL", "bad\u0000name"],
    ["a line break", "bad\nname"],
    ["an escape character", "bad\u001bname"],
    ["a lone surrogate", "bad\ud800name"],
  ])("a token name with %s is a 422 naming name, on both surfaces", async (_what, name) => {
    const before = await state();
    const compat = await fixture.http.request("POST", fixture.api.tokens(), {
      json: { name, permissions: ["chat"] },
    });
    expect(compat.status).toBe(422);
    expect(compat.body).toMatchObject({ code: "invalid_parameter", attribute: "name" });
    const native = await fixture.http.request("PATCH", `${NATIVE}/tokens/${existing.id}`, {
      json: { name },
    });
    expect(native.status).toBe(422);
    expect(native.body.errors[0]).toMatchObject({ attribute: "name" });
    expect(await state()).toEqual(before);
  });

  test("a FriendlyName filter with NUL is a 422 naming FriendlyName", async () => {
    const filtered = await fixture.http.request("GET", `${accounts}?FriendlyName=Bad%00Name`);
    expect(filtered.status).toBe(422);
    expect(filtered.body).toMatchObject({ code: 20002 });
    expect(filtered.body.message).toContain("FriendlyName");
  });

  test.each([
    ["NUL", "Bad\u0000Name"],
    ["a lone surrogate", "Bad\udc00Name"],
  ])(
    "a FriendlyName with %s is a 422 naming FriendlyName on create and rename",
    async (_what, name) => {
      const before = await state();
      for (const [method, path] of [
        ["POST", accounts],
        ["POST", `${accounts}/${subprojectSid}`],
      ] as const) {
        const response = await fixture.http.request(method, path, { json: { FriendlyName: name } });
        expect(response.status).toBe(422);
        expect(response.body).toMatchObject({ code: 20002 });
        expect(response.body.message).toContain("FriendlyName");
      }
      expect(await state()).toEqual(before);
    },
  );

  test("no hostile request on any write endpoint answers 5xx, and a refused one changes nothing", async () => {
    const paths = {
      compatTokens: fixture.api.tokens(),
      compatToken: fixture.api.token(existing.id),
      nativeToken: `${NATIVE}/tokens/${existing.id}`,
      accounts,
      subproject: `${accounts}/${subprojectSid}`,
    };
    await fc.assert(
      fc.asyncProperty(hostileRequest, async (hostile) => {
        const before = await state();
        const { method, path, body, contentType } = describeRequest(hostile, paths);
        const response = await fixture.http.request(method, path, {
          ...(body !== undefined && { raw: body, headers: { "content-type": contentType ?? "" } }),
        });
        expect(response.status).toBeLessThan(500);
        if (response.status >= 400) {
          expect(response.text.length).toBeLessThan(10_240);
          expect(await state()).toEqual(before);
        }
      }),
      { numRuns: 120 },
    );
  });
});
