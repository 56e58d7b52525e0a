import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestServer, type TestServer } from "../../server/test/support/test-server.js";
import { ConnectionError, type Permission, RestClient, RestError } from "../src/index.js";

describe("the SDK against a real Tokenspace", () => {
  let server: TestServer;
  let client: RestClient;

  beforeAll(async () => {
    server = await startTestServer();
    client = new RestClient({
      project: server.projectId,
      token: server.token,
      baseUrl: server.url,
    });
  });
  afterAll(() => server.close());

  const failure = async (promise: Promise<unknown>): Promise<RestError> => {
    const error = await promise.then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    expect(error).toBeInstanceOf(RestError);
    return error as RestError;
  };

  describe("the reference pages' examples, verbatim", () => {
    /** The examples name a SignalWire space; this fetch takes their requests to Tokenspace. */
    const toTokenspace =
      (sent: string[]) => (input: string | URL | Request, init?: RequestInit) => {
        const url = String(input);
        sent.push(url);
        return fetch(url.replace("https://your-space.signalwire.com", server.url), init);
      };

    test("create, with host: https to the space, JSON on the wire", async () => {
      const sent: string[] = [];
      const seedClient = new RestClient({
        project: server.projectId,
        token: server.token,
        host: "your-space.signalwire.com",
        fetchImpl: toTokenspace(sent),
      });
      const token = await seedClient.compat.tokens.create({
        name: "my-token",
        permissions: ["calling", "messaging"],
      });
      expect(sent).toEqual([
        `https://your-space.signalwire.com/api/laml/2010-04-01/Accounts/${server.projectId}/tokens`,
      ]);
      expect(token).toEqual({
        id: expect.any(String),
        name: "my-token",
        permissions: ["calling", "messaging"],
        token: expect.stringMatching(/^PT[0-9a-f]{48}$/),
      });
    });

    test('create with "voice" is a RestError 422 naming the permission', async () => {
      const error = await failure(
        client.compat.tokens.create({
          name: "my-token",
          // @ts-expect-error "voice" is not a Permission: the compiler catches it too.
          permissions: ["voice", "messaging"],
        }),
      );
      expect(error.statusCode).toBe(422);
      expect(error.code).toBe("invalid_auth_token_permissions");
      expect(error.attribute).toBe("permissions");
      expect(error.detail).toContain('Did you mean "calling"?');
    });

    test("update renames and keeps the rest", async () => {
      const created = await client.compat.tokens.create({ name: "my-token", permissions: ["fax"] });
      const updated = await client.compat.tokens.update(created.id, { name: "updated-token" });
      expect(updated).toEqual({ ...created, name: "updated-token" });
    });
  });

  test("compat.tokens: get, delete resolving to {}, and a 404 afterwards", async () => {
    const created = await client.compat.tokens.create({ name: "a", permissions: ["chat"] });
    expect(await client.compat.tokens.get(created.id)).toEqual(created);
    expect(await client.compat.tokens.delete(created.id)).toEqual({});
    const error = await failure(client.compat.tokens.get(created.id));
    expect(error).toMatchObject({ statusCode: 404, code: 20404, method: "GET" });
    expect(error.url).toBe(
      `${server.url}/api/laml/2010-04-01/Accounts/${server.projectId}/tokens/${created.id}`,
    );
  });

  test("compat.tokens.list iterates every token across pages, and listPage gets one", async () => {
    const created = [];
    for (let index = 0; index < 5; index++) {
      created.push(
        await client.compat.tokens.create({ name: `paged ${index}`, permissions: ["chat"] }),
      );
    }
    const all = await client.compat.tokens.iterate({ pageSize: 2 }).all();
    const ids = all.map((token) => token.id);
    for (const token of created) expect(ids).toContain(token.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(all.every((token) => !("token" in token))).toBe(true);

    let pages = 0;
    for await (const page of client.compat.tokens.iterate({ pageSize: 2 }).pages()) {
      expect(page.items.length).toBeLessThanOrEqual(2);
      pages++;
    }
    expect(pages).toBe(Math.ceil(ids.length / 2));

    const first = await client.compat.tokens.listPage({ pageSize: 2 });
    const second = await client.compat.tokens.listPage({
      pageSize: 2,
      pageToken: first.nextPageToken,
    });
    expect(first.previousPageToken).toBeUndefined();
    expect(second.items[0]?.id).not.toBe(first.items[0]?.id);
    const back = await client.compat.tokens.listPage({
      pageSize: 2,
      pageToken: second.previousPageToken,
    });
    expect(back.items).toEqual(first.items);
  });

  test("project.tokens: every method on the native surface", async () => {
    const created = await client.project.tokens.create({
      name: "native",
      permissions: ["video", "chat"],
    });
    expect(created.permissions).toEqual(["chat", "video"]);
    expect(await client.project.tokens.get(created.id)).toEqual(created);
    const updated = await client.project.tokens.update(created.id, { permissions: ["fax"] });
    expect(updated).toEqual({ ...created, permissions: ["fax"] });
    const listed = await client.project.tokens.iterate({ pageSize: 3 }).all();
    expect(listed.map((token) => token.id)).toContain(created.id);
    expect(await client.project.tokens.delete(created.id)).toEqual({});
    const error = await failure(client.project.tokens.delete(created.id));
    expect(error).toMatchObject({ statusCode: 404, body: { error: "Not Found" } });
  });

  test("native 422s surface every item, with the first one's code and attribute", async () => {
    const error = await failure(
      client.project.tokens.create({} as { name: string; permissions: Permission[] }),
    );
    expect(error.statusCode).toBe(422);
    expect(error.code).toBe("missing_required_parameter");
    expect(error.attribute).toBe("name");
    expect((error.body as { errors: unknown[] }).errors).toHaveLength(2);
    expect(error.detail).toContain("name is required");
    expect(error.detail).toContain("permissions is required");
  });

  test("compat.accounts: list, create, get and update", async () => {
    const subproject = await client.compat.accounts.create({ FriendlyName: "SDK child" });
    expect(subproject).toMatchObject({
      friendly_name: "SDK child",
      subproject: true,
      owner_account_sid: server.projectId,
    });
    expect(subproject.signing_key).toMatch(/^PSK_[0-9a-f]{48}$/);
    expect(await client.compat.accounts.get(subproject.sid)).toEqual({
      ...subproject,
      signing_key: null,
    });
    const renamed = await client.compat.accounts.update(subproject.sid, {
      FriendlyName: "SDK renamed",
    });
    expect(renamed.friendly_name).toBe("SDK renamed");
    const accounts = await client.compat.accounts.iterate({ pageSize: 1 }).all();
    expect(accounts[0]?.sid).toBe(server.projectId);
    expect(accounts.map((account) => account.sid)).toContain(subproject.sid);
    const filtered = await client.compat.accounts.iterate({ friendlyName: "SDK renamed" }).all();
    expect(filtered.map((account) => account.sid)).toEqual([subproject.sid]);
  });

  test("a subproject token created with subproject_id authenticates as the subproject", async () => {
    const subproject = await client.compat.accounts.create({ FriendlyName: "Scoped" });
    const scoped = await client.compat.tokens.create({
      name: "scoped",
      permissions: ["management"],
      subproject_id: subproject.sid,
    });
    const asSubproject = new RestClient({
      project: subproject.sid,
      token: scoped.token,
      baseUrl: server.url,
    });
    const visible = await asSubproject.compat.accounts.iterate().all();
    expect(visible.map((account) => account.sid)).toEqual([subproject.sid]);
  });

  test("bad credentials are a RestError 401 whose string forms never show the token", async () => {
    const secret = `PT${"ab".repeat(24)}`;
    const wrong = new RestClient({ project: server.projectId, token: secret, baseUrl: server.url });
    const error = await failure(wrong.compat.tokens.iterate().all());
    expect(error).toMatchObject({ statusCode: 401, code: 20003, method: "GET" });
    for (const text of [
      String(error),
      error.message,
      error.stack ?? "",
      inspect(error, { depth: 5 }),
      JSON.stringify(error),
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  test("a malformed id is a RestError 400 with code 10000", async () => {
    const error = await failure(client.compat.tokens.get("not-a-uuid"));
    expect(error).toMatchObject({ statusCode: 400, code: 10000 });
  });

  test("an unreachable server is a ConnectionError", async () => {
    const nowhere = new RestClient({
      project: server.projectId,
      token: server.token,
      baseUrl: "http://127.0.0.1:1",
      retry: { retries: 0 },
    });
    const error = await nowhere.compat.tokens
      .iterate()
      .all()
      .catch((rejection: unknown) => rejection);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(String(error)).not.toContain(server.token);
  });
});
