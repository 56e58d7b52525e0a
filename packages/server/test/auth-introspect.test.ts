import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, test } from "vitest";
import { COMPAT } from "./support/compat.js";
import { useTestServer } from "./support/fixtures.js";
import { HttpClient } from "./support/http-client.js";
import { newSecret, startTestServer } from "./support/test-server.js";

describe("POST /auth/introspect: token introspection for services", () => {
  const fixture = useTestServer();
  let worker: { id: string; token: string };

  beforeAll(async () => {
    worker = await fixture.api.createToken("worker", ["calling", "fax"]);
  });

  const introspect = (body: { json?: unknown; form?: string }, caller = fixture.http) =>
    caller.request("POST", "/auth/introspect", body);

  test("a token of the caller's project is active, with its project, id, name and permissions", async () => {
    const response = await introspect({ json: { token: worker.token } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      active: true,
      project_id: fixture.server.projectId,
      token_id: worker.id,
      name: "worker",
      permissions: ["calling", "fax"],
    });
  });

  test("the token may come form-encoded, as RFC 7662 sends it", async () => {
    const response = await introspect({
      form: `token=${worker.token}&token_type_hint=access_token`,
    });
    expect(response.body.active).toBe(true);
  });

  test("a token of one of the caller's subprojects is active", async () => {
    const child = await fixture.http.request("POST", `${COMPAT}/Accounts`, {
      json: { FriendlyName: "Introspected" },
    });
    const token = await fixture.http.request("POST", fixture.api.tokens(), {
      json: { name: "child", permissions: ["video"], subproject_id: child.body.sid },
    });
    const response = await introspect({ json: { token: token.body.token } });
    expect(response.body).toMatchObject({ active: true, project_id: child.body.sid });
  });

  test("unknown, deleted, malformed and other projects' tokens are all just inactive", async () => {
    const doomed = await fixture.api.createToken("doomed", ["chat"]);
    await fixture.http.request("DELETE", fixture.api.token(doomed.id));
    const elsewhere = await startTestServer({
      database: fixture.server.database,
      credentials: { projectId: randomUUID(), token: newSecret() },
    });
    try {
      for (const token of [newSecret(), doomed.token, "not a token", elsewhere.token]) {
        const response = await introspect({ json: { token } });
        expect(response.status).toBe(200);
        expect(response.body).toEqual({ active: false });
      }
    } finally {
      await elsewhere.close();
    }
  });

  test("the caller needs a management token", async () => {
    const caller = new HttpClient(fixture.server.url, {
      username: fixture.server.projectId,
      password: worker.token,
    });
    const response = await introspect({ json: { token: worker.token } }, caller);
    expect(response.status).toBe(401);
    expect(response.body.error).toContain("management");
  });

  test("a missing token is a 422 naming it", async () => {
    const response = await introspect({ json: {} });
    expect(response.status).toBe(422);
    expect(response.body.error).toContain("token");
  });
});
