import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { compatClient } from "./support/compat.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

describe("DELETE /Accounts/{AccountSid}/tokens/{token_id}", () => {
  let server: TestServer;
  let api: ReturnType<typeof compatClient>;

  beforeAll(async () => {
    server = await startTestServer();
    api = compatClient(server);
  });
  afterAll(() => server.close());

  test("answers 204 with an empty body", async () => {
    const created = await api.createToken("a", ["chat"]);
    const response = await api.http.request("DELETE", api.token(created.id));
    expect(response.status).toBe(204);
    expect(response.text).toBe("");
  });

  test("deleting again is a 404", async () => {
    const created = await api.createToken("a", ["chat"]);
    await api.http.request("DELETE", api.token(created.id));
    const response = await api.http.request("DELETE", api.token(created.id));
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ code: 20404, status: 404 });
  });

  test("a deleted token is gone from get and list", async () => {
    const created = await api.createToken("a", ["chat"]);
    await api.http.request("DELETE", api.token(created.id));
    expect((await api.http.request("GET", api.token(created.id))).status).toBe(404);
    const list = await api.http.request("GET", `${api.tokens()}?PageSize=1000`);
    expect(list.body.tokens.map((token: { id: string }) => token.id)).not.toContain(created.id);
  });

  test("a deleted token stops authenticating on the very next request", async () => {
    const created = await api.createToken("doomed", ["management"]);
    const asDoomed = api.http.withCredentials(server.projectId, created.token);
    expect((await asDoomed.request("GET", api.tokens())).status).toBe(200);

    await api.http.request("DELETE", api.token(created.id));

    const response = await asDoomed.request("GET", api.tokens());
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ code: 20003, status: 401 });
  });

  test("a token can delete itself and is refused afterwards", async () => {
    const created = await api.createToken("self", ["management"]);
    const asSelf = api.http.withCredentials(server.projectId, created.token);
    expect((await asSelf.request("DELETE", api.token(created.id))).status).toBe(204);
    expect((await asSelf.request("GET", api.tokens())).status).toBe(401);
  });

  test("a DELETE that carries a JSON content type and no body is accepted", async () => {
    const created = await api.createToken("a", ["chat"]);
    const response = await api.http.request("DELETE", api.token(created.id), {
      headers: { "content-type": "application/json" },
    });
    expect(response.status).toBe(204);
  });
});
