import { describe, expect, test } from "vitest";
import { COMPAT } from "./support/compat.js";
import { useTestServer } from "./support/fixtures.js";

/** Where SignalWire's Node client (`@signalwire/compatibility-api`) calls the compatibility API. */
const ROOT = "/2010-04-01";

describe("the compatibility API at the root prefix /2010-04-01", () => {
  const fixture = useTestServer();
  const tokens = (prefix: string) => `${prefix}/Accounts/${fixture.server.projectId}/tokens`;

  test("a form-encoded create with a .json suffix answers as under /api/laml", async () => {
    const response = await fixture.http.request("POST", `${tokens(ROOT)}.json`, {
      form: "name=root&permissions=calling&permissions=fax",
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: expect.any(String),
      name: "root",
      permissions: ["calling", "fax"],
      token: expect.stringMatching(/^PT[0-9a-f]{48}$/),
    });
    const same = await fixture.http.request("GET", `${tokens(COMPAT)}/${response.body.id}`);
    expect(same.body).toEqual(response.body);
  });

  test("get, update and delete work under the root prefix", async () => {
    const created = await fixture.api.createToken("to change", ["chat"]);
    const path = `${tokens(ROOT)}/${created.id}.json`;
    expect((await fixture.http.request("GET", path)).body).toEqual(created);
    const updated = await fixture.http.request("PATCH", path, { json: { name: "changed" } });
    expect(updated.body).toEqual({ ...created, name: "changed" });
    expect((await fixture.http.request("DELETE", path)).status).toBe(204);
    expect((await fixture.http.request("GET", path)).status).toBe(404);
  });

  test("list URIs use the prefix the request came in on, and paging follows them", async () => {
    await fixture.api.createToken("page one", ["chat"]);
    await fixture.api.createToken("page two", ["chat"]);
    const first = await fixture.http.request("GET", `${tokens(ROOT)}.json?PageSize=1`);
    expect(first.body.uri).toBe(`${tokens(ROOT)}?Page=0&PageSize=1`);
    expect(first.body.first_page_uri).toBe(`${tokens(ROOT)}?Page=0&PageSize=1`);
    expect(first.body.next_page_uri).toMatch(new RegExp(`^${tokens(ROOT)}\\?Page=1&`));
    const second = await fixture.http.request("GET", first.body.next_page_uri);
    expect(second.status).toBe(200);
    expect(second.body.previous_page_uri).toMatch(new RegExp(`^${tokens(ROOT)}\\?Page=0&`));
    const laml = await fixture.http.request("GET", `${tokens(COMPAT)}?PageSize=1`);
    expect(laml.body.uri).toBe(`${tokens(COMPAT)}?Page=0&PageSize=1`);
  });

  test("account URIs and subresource URIs use the root prefix", async () => {
    const created = await fixture.http.request("POST", `${ROOT}/Accounts.json`, {
      form: "FriendlyName=Rooted",
    });
    expect(created.status).toBe(201);
    const sid = created.body.sid;
    expect(created.body.uri).toBe(`${ROOT}/Accounts/${sid}`);
    expect(created.body.subresource_uris.calls).toBe(`${ROOT}/Accounts/${sid}/Calls`);
    const list = await fixture.http.request("GET", `${ROOT}/Accounts.json?FriendlyName=Rooted`);
    expect(list.body.uri).toBe(`${ROOT}/Accounts?FriendlyName=Rooted&Page=0&PageSize=50`);
    expect(list.body.accounts.map((account: { sid: string }) => account.sid)).toEqual([sid]);
  });

  test("wrong credentials are a 401 in the compatibility shape", async () => {
    const response = await fixture.http.request("GET", `${tokens(ROOT)}.json`, {
      auth: { username: fixture.server.projectId, password: `PT${"0".repeat(48)}` },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Basic realm="Tokenspace"');
    expect(response.body).toMatchObject({ code: 20003, status: 401 });
  });

  test("a validation failure has the same flat shape as under /api/laml", async () => {
    const body = { json: { name: "x", permissions: ["voice"] } };
    const root = await fixture.http.request("POST", tokens(ROOT), body);
    const laml = await fixture.http.request("POST", tokens(COMPAT), body);
    expect(root.status).toBe(422);
    expect(root.body).toEqual(laml.body);
  });

  test("an unknown path under the root prefix is a 404 in the compatibility shape", async () => {
    const response = await fixture.http.request(
      "GET",
      `${ROOT}/Accounts/${fixture.server.projectId}/Nothing.json`,
    );
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ code: 20404, status: 404 });
    expect(response.body.message).toContain("Compatibility API");
  });

  test("a path that only begins like the prefix is not part of the surface", async () => {
    const response = await fixture.http.request("GET", "/2010-04-01x/Accounts");
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: expect.stringContaining("There is no GET") });
  });
});
