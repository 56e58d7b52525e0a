import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { useTestServer } from "./support/fixtures.js";

const TOKENS = "/api/project/tokens";

describe("the native surface: /api/project/tokens", () => {
  const fixture = useTestServer();

  const create = async (name: string, permissions: string[]) => {
    const response = await fixture.http.request("POST", TOKENS, { json: { name, permissions } });
    expect(response.status).toBe(200);
    return response.body;
  };

  test("create returns the token with its secret, for the authenticated project", async () => {
    const response = await fixture.http.request("POST", TOKENS, {
      json: { name: "John Doe's Token", permissions: ["messaging", "calling", "fax"] },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: "John Doe's Token",
      permissions: ["calling", "fax", "messaging"],
      token: expect.stringMatching(/^PT[0-9a-f]{48}$/),
    });
    const viaCompat = await fixture.http.request(
      "GET",
      `/api/laml/2010-04-01/Accounts/${fixture.server.projectId}/tokens/${response.body.id}`,
    );
    expect(viaCompat.body).toEqual(response.body);
  });

  test("get, update and delete work on the same token", async () => {
    const created = await create("a", ["chat"]);
    expect((await fixture.http.request("GET", `${TOKENS}/${created.id}`)).body).toEqual(created);
    const updated = await fixture.http.request("PATCH", `${TOKENS}/${created.id}`, {
      json: { permissions: ["video", "chat"] },
    });
    expect(updated.body).toEqual({ ...created, permissions: ["chat", "video"] });
    const deleted = await fixture.http.request("DELETE", `${TOKENS}/${created.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    const again = await fixture.http.request("DELETE", `${TOKENS}/${created.id}`);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ error: "Not Found" });
  });

  test("a request missing both name and permissions gets two error items", async () => {
    const response = await fixture.http.request("POST", TOKENS, { json: {} });
    expect(response.status).toBe(422);
    expect(response.body).toEqual({
      errors: [
        {
          type: "validation_error",
          code: "missing_required_parameter",
          message: expect.stringContaining("name is required"),
          attribute: "name",
          url: expect.any(String),
        },
        {
          type: "validation_error",
          code: "missing_required_parameter",
          message: expect.stringContaining("permissions is required"),
          attribute: "permissions",
          url: expect.any(String),
        },
      ],
    });
  });

  test("each unknown permission gets its own item", async () => {
    const response = await fixture.http.request("POST", TOKENS, {
      json: { name: "x", permissions: ["voice", "fax", "sms"] },
    });
    expect(response.status).toBe(422);
    expect(response.body.errors.map((item: { message: string }) => item.message)).toEqual([
      expect.stringContaining('"voice" is not a valid permission'),
      expect.stringContaining('"sms" is not a valid permission'),
    ]);
  });

  test("an unknown field, a bad name and bad permissions are all reported at once", async () => {
    const response = await fixture.http.request("POST", TOKENS, {
      json: { Name: "x", name: "", permissions: [] },
    });
    expect(response.body.errors.map((item: { attribute: string }) => item.attribute)).toEqual([
      "Name",
      "name",
      "permissions",
    ]);
  });

  test("bad credentials are a 401 with the native body and a Basic challenge", async () => {
    const response = await fixture.http.request("GET", TOKENS, { auth: null });
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: "Unauthorized" });
    expect(response.headers.get("www-authenticate")).toBe('Basic realm="Tokenspace"');
  });

  test("a token without management is a 401 with the native body", async () => {
    const limited = await create("limited", ["chat"]);
    const response = await fixture.http
      .withCredentials(fixture.server.projectId, limited.token)
      .request("GET", TOKENS);
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: "Unauthorized" });
  });

  test("malformed JSON and malformed ids are a 400 with the native body", async () => {
    const badJson = await fixture.http.request("POST", TOKENS, {
      raw: "{",
      headers: { "content-type": "application/json" },
    });
    expect(badJson.status).toBe(400);
    expect(badJson.body).toEqual({ error: "Bad Request" });
    const badId = await fixture.http.request("GET", `${TOKENS}/nope`);
    expect(badId.status).toBe(400);
    expect(badId.body).toEqual({ error: "Bad Request" });
  });

  test("an unknown token is a 404 with the native body", async () => {
    const response = await fixture.http.request("PATCH", `${TOKENS}/${randomUUID()}`, {
      json: { name: "x" },
    });
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: "Not Found" });
  });

  test("oversized and unsupported bodies get 413 and 415 with native bodies", async () => {
    const big = await fixture.http.request("POST", TOKENS, {
      json: { name: "x".repeat(1_100_000) },
    });
    expect(big.status).toBe(413);
    expect(big.body).toEqual({ error: "Payload Too Large" });
    const xml = await fixture.http.request("POST", TOKENS, {
      raw: "<x/>",
      headers: { "content-type": "application/xml" },
    });
    expect(xml.status).toBe(415);
    expect(xml.body).toEqual({ error: "Unsupported Media Type" });
  });

  test("the list pages with links and never shows a secret", async () => {
    for (let index = 0; index < 4; index++) await create(`page ${index}`, ["chat"]);
    const first = await fixture.http.request("GET", `${TOKENS}?page_size=2`);
    expect(first.status).toBe(200);
    expect(first.body.links).toEqual({
      self: `${TOKENS}?page_size=2`,
      first: `${TOKENS}?page_size=2`,
      next: expect.stringMatching(/^\/api\/project\/tokens\?page_size=2&page_token=PA/),
      prev: null,
    });
    expect(first.body.data).toHaveLength(2);
    expect(first.text).not.toMatch(/PT[0-9a-f]{48}/);
    const second = await fixture.http.request("GET", first.body.links.next);
    expect(second.body.links.self).toBe(first.body.links.next);
    expect(second.body.links.prev).toEqual(expect.stringContaining("page_token="));
    const back = await fixture.http.request("GET", second.body.links.prev);
    expect(back.body.data).toEqual(first.body.data);
  });

  test("a forged page_token is a 400 with the native body", async () => {
    const response = await fixture.http.request("GET", `${TOKENS}?page_token=forged`);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: "Bad Request" });
  });

  test("an unknown path under /api/project is a native 404", async () => {
    const response = await fixture.http.request("GET", "/api/project/nothing");
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: "Not Found" });
  });
});
