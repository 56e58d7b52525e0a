import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { COMPAT } from "./support/compat.js";
import { HttpClient } from "./support/http-client.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

interface Token {
  id: string;
  name: string;
  permissions: string[];
  token: string;
}

/** Parent → child allowed; child → parent or sibling refused; outsider → 404. On both surfaces. */
describe("tokens across a project and its subprojects", () => {
  let server: TestServer;
  let outsiderServer: TestServer;
  let parent: HttpClient;
  let childA: string;
  let childB: string;
  let tokenA: Token;
  let asChildA: HttpClient;
  let outsider: HttpClient;

  const tokensOf = (projectId: string) => `${COMPAT}/Accounts/${projectId}/tokens`;

  beforeAll(async () => {
    server = await startTestServer();
    parent = new HttpClient(server.url, { username: server.projectId, password: server.token });
    childA = (await parent.request("POST", `${COMPAT}/Accounts`, { json: { FriendlyName: "A" } }))
      .body.sid;
    childB = (await parent.request("POST", `${COMPAT}/Accounts`, { json: { FriendlyName: "B" } }))
      .body.sid;
    tokenA = (
      await parent.request("POST", tokensOf(server.projectId), {
        json: { name: "A admin", permissions: ["management"], subproject_id: childA },
      })
    ).body;
    asChildA = parent.withCredentials(childA, tokenA.token);
    outsiderServer = await startTestServer({
      directory: server.directory,
      database: server.database,
    });
    outsider = parent.withCredentials(outsiderServer.projectId, outsiderServer.token);
  });
  afterAll(async () => {
    await outsiderServer.server.close();
    await server.close();
  });

  test("a token created with subproject_id belongs to and authenticates as the subproject", async () => {
    expect((await asChildA.request("GET", tokensOf(childA))).status).toBe(200);
    const asParentId = parent.withCredentials(server.projectId, tokenA.token);
    expect((await asParentId.request("GET", tokensOf(childA))).status).toBe(401);
    const parentList = (await parent.request("GET", `${tokensOf(server.projectId)}?PageSize=1000`))
      .body;
    expect(parentList.tokens.map((token: Token) => token.id)).not.toContain(tokenA.id);
  });

  test("the native surface creates subproject tokens with subproject_id too", async () => {
    const created = await parent.request("POST", "/api/project/tokens", {
      json: { name: "native child", permissions: ["chat"], subproject_id: childB },
    });
    expect(created.status).toBe(200);
    const listed = await parent.request("GET", `${tokensOf(childB)}?PageSize=1000`);
    expect(listed.body.tokens.map((token: Token) => token.id)).toContain(created.body.id);
  });

  test("the parent's management token manages a subproject's tokens through its AccountSid", async () => {
    const path = tokensOf(childA);
    const created = await parent.request("POST", path, {
      json: { name: "made by parent", permissions: ["fax"] },
    });
    expect(created.status).toBe(200);
    expect((await parent.request("GET", `${path}/${created.body.id}`)).body).toEqual(created.body);
    const updated = await parent.request("PATCH", `${path}/${created.body.id}`, {
      json: { name: "renamed" },
    });
    expect(updated.body.name).toBe("renamed");
    expect((await parent.request("DELETE", `${path}/${created.body.id}`)).status).toBe(204);
  });

  test("a subproject's token reaches neither its parent nor its sibling", async () => {
    for (const projectId of [server.projectId, childB]) {
      const listed = await asChildA.request("GET", tokensOf(projectId));
      expect(listed.status).toBe(404);
      const created = await asChildA.request("POST", tokensOf(projectId), {
        json: { name: "x", permissions: ["chat"] },
      });
      expect(created.status).toBe(404);
      expect((await asChildA.request("GET", `${COMPAT}/Accounts/${projectId}`)).status).toBe(404);
    }
  });

  test("a subproject's token sees only its own account in the list", async () => {
    const response = await asChildA.request("GET", `${COMPAT}/Accounts`);
    expect(response.body.accounts.map((account: { sid: string }) => account.sid)).toEqual([childA]);
    expect(response.body.accounts[0]).toMatchObject({
      owner_account_sid: server.projectId,
      subproject: true,
    });
  });

  test("a subproject cannot have subprojects", async () => {
    const response = await asChildA.request("POST", `${COMPAT}/Accounts`, {
      json: { FriendlyName: "Grandchild" },
    });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 20002, status: 422 });
    expect(response.body.message).toContain("subprojects cannot have subprojects");
  });

  test("the native surface lists only the authenticated subproject's tokens", async () => {
    const response = await asChildA.request("GET", "/api/project/tokens?page_size=1000");
    const ids = response.body.data.map((token: Token) => token.id);
    expect(ids).toContain(tokenA.id);
    expect(
      (await parent.request("GET", "/api/project/tokens?page_size=1000")).body.data.map(
        (token: Token) => token.id,
      ),
    ).not.toContain(tokenA.id);
  });

  test.each([
    ["a sibling", () => ({ path: tokensOf(childA), subproject: childB })],
    [
      "the parent itself",
      () => ({ path: tokensOf(server.projectId), subproject: server.projectId }),
    ],
    ["an unknown id", () => ({ path: tokensOf(server.projectId), subproject: randomUUID() })],
    [
      "another tree's project",
      () => ({ path: tokensOf(server.projectId), subproject: outsiderServer.projectId }),
    ],
  ])("subproject_id naming %s is a 422 on subproject_id", async (_case, target) => {
    const { path, subproject } = target();
    const response = await parent.request("POST", path, {
      json: { name: "x", permissions: ["chat"], subproject_id: subproject },
    });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      code: "invalid_subproject_id",
      attribute: "subproject_id",
    });
  });

  test("a project outside the caller's tree is a 404 everywhere", async () => {
    for (const path of [
      tokensOf(server.projectId),
      tokensOf(childA),
      `${tokensOf(childA)}/${tokenA.id}`,
      `${COMPAT}/Accounts/${server.projectId}`,
      `${COMPAT}/Accounts/${childA}`,
    ]) {
      const response = await outsider.request("GET", path);
      expect(response.status, path).toBe(404);
    }
    const native = await outsider.request("GET", `/api/project/tokens/${tokenA.id}`);
    expect(native.status).toBe(404);
  });
});
