import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { useTestServer } from "./support/fixtures.js";

describe("malformed requests get the compatibility error shape and change nothing", () => {
  const fixture = useTestServer();
  let existing: Awaited<ReturnType<typeof fixture.api.createToken>>;

  beforeAll(async () => {
    existing = await fixture.api.createToken("existing", ["calling"]);
  });

  const compatError = (status: number, code: number) => ({
    code,
    message: expect.any(String),
    more_info: expect.any(String),
    status,
  });
  const tokenCount = async () =>
    (await fixture.api.http.request("GET", `${fixture.api.tokens()}?PageSize=1000`)).body.tokens
      .length;

  test("invalid JSON is a 400 with code 10000", async () => {
    const response = await fixture.api.http.request("POST", fixture.api.tokens(), {
      raw: '{"name": "a", "permissions": [',
      headers: { "content-type": "application/json" },
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual(compatError(400, 10000));
    expect(response.body.message).toContain("not valid JSON");
  });

  test("a JSON body that is not an object is a 400", async () => {
    for (const raw of ["[]", '"text"', "42", "null", "true"]) {
      const response = await fixture.api.http.request("POST", fixture.api.tokens(), {
        raw,
        headers: { "content-type": "application/json" },
      });
      expect(response.status, raw).toBe(400);
      expect(response.body).toEqual(compatError(400, 10000));
    }
  });

  test("a JSON body with __proto__ is a 400", async () => {
    const response = await fixture.api.http.request("POST", fixture.api.tokens(), {
      raw: '{"name":"a","permissions":["chat"],"__proto__":{"admin":true}}',
      headers: { "content-type": "application/json" },
    });
    expect(response.status).toBe(400);
  });

  test("a body over 1 MiB is a 413 with code 10000", async () => {
    const response = await fixture.api.http.request("POST", fixture.api.tokens(), {
      json: { name: "a".repeat(1024 * 1024), permissions: ["chat"] },
    });
    expect(response.status).toBe(413);
    expect(response.body).toEqual(compatError(413, 10000));
  });

  test("an unsupported content type is a 415 that names the accepted ones", async () => {
    for (const type of ["text/plain", "application/xml", "multipart/form-data; boundary=x"]) {
      const response = await fixture.api.http.request("POST", fixture.api.tokens(), {
        raw: "name=a",
        headers: { "content-type": type },
      });
      expect(response.status, type).toBe(415);
      expect(response.body).toEqual(compatError(415, 10000));
      expect(response.body.message).toContain("application/json");
    }
  });

  test("a content type with parameters is still understood", async () => {
    const response = await fixture.api.http.request("POST", fixture.api.tokens(), {
      raw: JSON.stringify({ name: "a", permissions: ["chat"] }),
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    expect(response.status).toBe(200);
  });

  test("a body with no content type is a 415", async () => {
    const response = await fixture.api.http.request("POST", fixture.api.tokens(), {
      raw: new TextEncoder().encode("name=a"),
    });
    expect(response.status).toBe(415);
  });

  test("a POST with no body at all asks for the required fields", async () => {
    const response = await fixture.api.http.request("POST", fixture.api.tokens());
    expect(response.status).toBe(422);
    expect(response.body.code).toBe("missing_required_parameter");
  });

  test.each([
    ["a malformed AccountSid", () => `${fixture.api.tokens("not-a-uuid")}`],
    ["a malformed token id", () => fixture.api.token("not-a-uuid")],
    ["a token id with SQL in it", () => fixture.api.token("1'%20OR%20'1'='1")],
  ])("%s in the path is a 400 with code 10000", async (_case, path) => {
    const response = await fixture.api.http.request("GET", path());
    expect(response.status).toBe(400);
    expect(response.body).toEqual(compatError(400, 10000));
    expect(response.body.message).toContain("UUID");
  });

  test("a malformed percent-encoding in the URL is a 400 in each surface's shape", async () => {
    const compat = await fixture.api.http.request("GET", `${fixture.api.tokens()}/%E0%A4%A`);
    expect(compat.status).toBe(400);
    expect(compat.body).toEqual(compatError(400, 10000));
    expect(compat.body.message).toContain("percent-encoded");
    const native = await fixture.api.http.request("GET", "/api/project/tokens/%E0%A4%A");
    expect(native.status).toBe(400);
    expect(native.body).toEqual({ error: "Bad Request" });
  });

  test("an unknown path under the compatibility API is a 404 in its shape", async () => {
    const response = await fixture.api.http.request("GET", "/api/laml/2010-04-01/Accounts/x/Calls");
    expect(response.status).toBe(404);
    expect(response.body).toEqual(compatError(404, 20404));
  });

  test("an unsupported method on a token is a 404 in the compatibility shape", async () => {
    const response = await fixture.api.http.request("PUT", fixture.api.token(existing.id), {
      json: {},
    });
    expect(response.status).toBe(404);
    expect(response.body).toEqual(compatError(404, 20404));
  });

  test("failed writes leave the store as it was", async () => {
    const before = await tokenCount();
    await fixture.api.http.request("POST", fixture.api.tokens(), {
      json: { name: "", permissions: ["chat"] },
    });
    await fixture.api.http.request("POST", fixture.api.tokens(), {
      raw: "{",
      headers: { "content-type": "application/json" },
    });
    await fixture.api.http.request("POST", fixture.api.tokens(), {
      json: { name: "a", permissions: ["nope"] },
    });
    expect(await tokenCount()).toBe(before);
    expect((await fixture.api.http.request("GET", fixture.api.token(existing.id))).body).toEqual(
      existing,
    );
  });

  test("no arbitrary JSON body makes a create or update answer 500, and a refused one changes nothing", async () => {
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          name: fc.oneof(fc.string({ maxLength: 300 }), fc.integer(), fc.constant(null)),
          permissions: fc.oneof(
            fc.array(
              fc.oneof(fc.constantFrom("calling", "fax", "voice", "", "CALLING"), fc.string()),
              { maxLength: 5 },
            ),
            fc.string(),
          ),
          subproject_id: fc.oneof(fc.uuid(), fc.string()),
          extra: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), async (json, isCreate) => {
        const before = await tokenCount();
        const response = isCreate
          ? await fixture.api.http.request("POST", fixture.api.tokens(), { json })
          : await fixture.api.http.request("PATCH", fixture.api.token(existing.id), { json });
        expect(response.status).toBeLessThan(500);
        expect(response.headers.get("content-type") ?? "").toContain("application/json");
        if (response.status !== 200) {
          expect(await tokenCount()).toBe(before);
          expect(
            (await fixture.api.http.request("GET", fixture.api.token(existing.id))).body,
          ).toEqual(existing);
        } else if (!isCreate) {
          existing = response.body;
        }
      }),
      { numRuns: 150 },
    );
  });
});
