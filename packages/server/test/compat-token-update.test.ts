import { describe, expect, test } from "vitest";
import { useTestServer } from "./support/fixtures.js";

describe("PATCH /Accounts/{AccountSid}/tokens/{token_id}", () => {
  const fixture = useTestServer();

  const update = (id: string, json: unknown) =>
    fixture.api.http.request("PATCH", fixture.api.token(id), { json });
  const fetchToken = async (id: string) =>
    (await fixture.api.http.request("GET", fixture.api.token(id))).body;

  test("permissions, when given, replace the whole set", async () => {
    const created = await fixture.api.createToken("a", ["calling", "fax"]);
    const response = await update(created.id, { permissions: ["video"] });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ...created, permissions: ["video"] });
  });

  test("name and permissions change together", async () => {
    const created = await fixture.api.createToken("a", ["calling"]);
    const response = await update(created.id, { name: "b", permissions: ["chat", "fax"] });
    expect(response.body).toEqual({ ...created, name: "b", permissions: ["chat", "fax"] });
  });

  test("a form-encoded update is accepted", async () => {
    const created = await fixture.api.createToken("a", ["calling"]);
    const response = await fixture.api.http.request("PATCH", fixture.api.token(created.id), {
      form: "permissions=fax&permissions=chat",
    });
    expect(response.status).toBe(200);
    expect(response.body.permissions).toEqual(["chat", "fax"]);
  });

  test("an update with an unknown permission is a 422 and changes nothing", async () => {
    const created = await fixture.api.createToken("a", ["calling"]);
    const response = await update(created.id, { name: "renamed", permissions: ["sms"] });
    expect(response.status).toBe(422);
    expect(response.body.message).toContain('Did you mean "messaging"?');
    expect(await fetchToken(created.id)).toEqual(created);
  });

  test("an update with an unknown field is a 422 and changes nothing", async () => {
    const created = await fixture.api.createToken("a", ["calling"]);
    const response = await update(created.id, {
      name: "renamed",
      subproject_id: fixture.server.projectId,
    });
    expect(response.status).toBe(422);
    expect(response.body.attribute).toBe("subproject_id");
    expect(await fetchToken(created.id)).toEqual(created);
  });

  test("an update that empties the permissions is a 422 and changes nothing", async () => {
    const created = await fixture.api.createToken("a", ["calling"]);
    const response = await update(created.id, { permissions: [] });
    expect(response.status).toBe(422);
    expect(await fetchToken(created.id)).toEqual(created);
  });

  test("an unknown token id is a 404", async () => {
    const response = await update("00000000-0000-4000-8000-000000000000", { name: "x" });
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ code: 20404, status: 404 });
  });

  test("removing a token's management permission refuses it on the very next request", async () => {
    const manager = await fixture.api.createToken("manager", ["management", "chat"]);
    const asManager = fixture.api.http.withCredentials(fixture.server.projectId, manager.token);
    expect((await asManager.request("GET", fixture.api.tokens())).status).toBe(200);

    await update(manager.id, { permissions: ["chat"] });

    const refused = await asManager.request("GET", fixture.api.tokens());
    expect(refused.status).toBe(401);
    expect(refused.body.message).toContain("management permission");
  });

  test("a token can take away its own management permission and is refused afterwards", async () => {
    const manager = await fixture.api.createToken("manager", ["management"]);
    const asManager = fixture.api.http.withCredentials(fixture.server.projectId, manager.token);
    const response = await asManager.request("PATCH", fixture.api.token(manager.id), {
      json: { permissions: ["chat"] },
    });
    expect(response.status).toBe(200);
    expect((await asManager.request("GET", fixture.api.token(manager.id))).status).toBe(401);
  });
});
