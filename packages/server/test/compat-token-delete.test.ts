import { describe, expect, test } from "vitest";
import { useTestServer } from "./support/fixtures.js";

describe("DELETE /Accounts/{AccountSid}/tokens/{token_id}", () => {
  const fixture = useTestServer();

  test("answers 204 with an empty body", async () => {
    const created = await fixture.api.createToken("a", ["chat"]);
    const response = await fixture.api.http.request("DELETE", fixture.api.token(created.id));
    expect(response.status).toBe(204);
    expect(response.text).toBe("");
  });

  test("deleting again is a 404", async () => {
    const created = await fixture.api.createToken("a", ["chat"]);
    await fixture.api.http.request("DELETE", fixture.api.token(created.id));
    const response = await fixture.api.http.request("DELETE", fixture.api.token(created.id));
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ code: 20404, status: 404 });
  });

  test("a deleted token is gone from get and list", async () => {
    const created = await fixture.api.createToken("a", ["chat"]);
    await fixture.api.http.request("DELETE", fixture.api.token(created.id));
    expect((await fixture.api.http.request("GET", fixture.api.token(created.id))).status).toBe(404);
    const list = await fixture.api.http.request("GET", `${fixture.api.tokens()}?PageSize=1000`);
    expect(list.body.tokens.map((token: { id: string }) => token.id)).not.toContain(created.id);
  });

  test("a deleted token stops authenticating on the very next request", async () => {
    const created = await fixture.api.createToken("doomed", ["management"]);
    const asDoomed = fixture.api.http.withCredentials(fixture.server.projectId, created.token);
    expect((await asDoomed.request("GET", fixture.api.tokens())).status).toBe(200);

    await fixture.api.http.request("DELETE", fixture.api.token(created.id));

    const response = await asDoomed.request("GET", fixture.api.tokens());
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ code: 20003, status: 401 });
  });

  test("a token can delete itself and is refused afterwards", async () => {
    const created = await fixture.api.createToken("self", ["management"]);
    const asSelf = fixture.api.http.withCredentials(fixture.server.projectId, created.token);
    expect((await asSelf.request("DELETE", fixture.api.token(created.id))).status).toBe(204);
    expect((await asSelf.request("GET", fixture.api.tokens())).status).toBe(401);
  });

  test("a DELETE that carries a JSON content type and no body is accepted", async () => {
    const created = await fixture.api.createToken("a", ["chat"]);
    const response = await fixture.api.http.request("DELETE", fixture.api.token(created.id), {
      headers: { "content-type": "application/json" },
    });
    expect(response.status).toBe(204);
  });
});
