import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestServer, type TestServer } from "../../server/test/support/test-server.js";
import { RestClient, RestError } from "../src/index.js";

/** Tokenspace additions: client.tokenspace.tokens and client.tokenspace.audit. */
describe("the SDK manages a token's lifecycle and reads the audit log", () => {
  let server: TestServer;
  let client: RestClient;
  beforeAll(async () => {
    server = await startTestServer();
    client = new RestClient({ project: server.projectId, token: server.token, host: server.url });
  });
  afterAll(() => server?.close());

  const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

  test("create, disable, enable, set an expiry, reroll and delete, each in the audit log", async () => {
    const created = await client.tokenspace.tokens.create({
      name: "sdk lifecycle",
      permissions: ["chat"],
    });
    expect(created).toMatchObject({ name: "sdk lifecycle", enabled: true, expires_at: null });
    expect((await client.tokenspace.tokens.disable(created.id)).enabled).toBe(false);
    expect((await client.tokenspace.tokens.enable(created.id)).enabled).toBe(true);
    const expiry = inAnHour();
    const expiring = await client.tokenspace.tokens.update(created.id, { expires_at: expiry });
    expect(expiring.expires_at).toBe(expiry);
    const rolled = await client.tokenspace.tokens.reroll(created.id, { overlap: "1h" });
    expect(rolled.token).not.toBe(created.token);
    expect(rolled.previous_token_expires_at).not.toBeNull();
    await client.tokenspace.tokens.delete(created.id);

    const entries = await client.tokenspace.audit.list({ target: created.id }).all();
    expect(entries.map((entry) => entry.action)).toEqual([
      "token.created",
      "token.disabled",
      "token.enabled",
      "token.updated",
      "token.rerolled",
      "token.deleted",
    ]);
  });

  test("expiring() lists the tokens about to expire, a page at a time", async () => {
    const soon = await client.tokenspace.tokens.create({
      name: "soon",
      permissions: ["chat"],
      expires_at: inAnHour(),
    });
    const found = await client.tokenspace.tokens.expiring("1d").all();
    expect(found.map((token) => token.id)).toContain(soon.id);
    const pages = client.tokenspace.tokens.list({ pageSize: 1 }).pages();
    const first = await pages.next();
    expect(first.value?.items).toHaveLength(1);
  });

  test("a 422 from the extension surface is a RestError naming the attribute", async () => {
    const created = await client.tokenspace.tokens.create({ name: "x", permissions: ["chat"] });
    const failure = await client.tokenspace.tokens
      .reroll(created.id, { overlap: "9d" })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RestError);
    expect((failure as RestError).statusCode).toBe(422);
    expect((failure as RestError).attribute).toBe("overlap");
  });

  test("list() searches by name and keeps to one project; the audit log reads newest first", async () => {
    const child = await client.compat.accounts.create({ FriendlyName: "SDK child" });
    const inChild = await client.tokenspace.tokens.create({
      name: "Needle in the child",
      permissions: ["chat"],
      subproject_id: child.sid,
    });
    await client.tokenspace.tokens.create({ name: "needle at home", permissions: ["chat"] });
    const needles = await client.tokenspace.tokens.list({ name: "NEEDLE" }).all();
    expect(needles.map((token) => token.name).sort()).toEqual([
      "Needle in the child",
      "needle at home",
    ]);
    const childOnly = await client.tokenspace.tokens.list({ projectId: child.sid }).all();
    expect(childOnly.map((token) => token.id)).toEqual([inChild.id]);
    const newest = await client.tokenspace.audit.listPage({ order: "newest_first", pageSize: 1 });
    expect(newest.items[0]?.action).toBe("token.created");
    expect(newest.items[0]?.target.id).not.toBe(inChild.id);
    const childEntries = await client.tokenspace.audit.list({ projectId: child.sid }).all();
    expect(childEntries.map((entry) => entry.action)).toEqual([
      "subproject.created",
      "token.created",
    ]);
  });

  test("a 429 that is not retried carries the server's Retry-After as retryAfterMs", async () => {
    const limited = await startTestServer({ env: { TOKENSPACE_RATE_LIMIT_PER_MINUTE: "1" } });
    try {
      const once = new RestClient({
        project: limited.projectId,
        token: limited.token,
        host: limited.url,
        retry: { retries: 0 },
      });
      await once.tokenspace.tokens.listPage();
      const failure = await once.tokenspace.tokens.listPage().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(RestError);
      expect((failure as RestError).statusCode).toBe(429);
      expect((failure as RestError).retryAfterMs).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});
