import { afterAll, describe, expect, test } from "vitest";
import { COMPAT } from "./support/compat.js";
import { useTestServer } from "./support/fixtures.js";
import { HttpClient } from "./support/http-client.js";
import { ManualClock } from "./support/manual-clock.js";
import { TEST_STORE } from "./support/test-database.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

const EXT = "/api/tokenspace";
const SECOND = 1000;
const DAY = 86_400 * SECOND;

describe("token lifecycle on /api/tokenspace", () => {
  const clock = new ManualClock();
  const fixture = useTestServer({ clock });
  const iso = (offsetMs: number) => new Date(clock.now().getTime() + offsetMs).toISOString();

  const create = async (body: Record<string, unknown> = {}) => {
    const response = await fixture.http.request("POST", `${EXT}/tokens`, {
      json: { name: "lifecycle", permissions: ["management"], ...body },
    });
    expect(response.status, response.text).toBe(201);
    return response.body as { id: string; token: string; expires_at: string | null };
  };
  /** Whether the secret authenticates a compatibility request right now. */
  const authenticates = async (secret: string) => {
    const response = await fixture.http
      .withCredentials(fixture.server.projectId, secret)
      .request("GET", `${COMPAT}/Accounts/${fixture.server.projectId}/tokens?PageSize=1`);
    expect([200, 401]).toContain(response.status);
    return response.status === 200;
  };
  const patch = (id: string, json: unknown) =>
    fixture.http.request("PATCH", `${EXT}/tokens/${id}`, { json });
  const reroll = (id: string, json: unknown = {}) =>
    fixture.http.request("POST", `${EXT}/tokens/${id}/reroll`, { json });

  test("a token created with an expiry shows it, with enabled, created_at and updated_at", async () => {
    const expiresAt = iso(DAY);
    const created = await create({ expires_at: expiresAt });
    const fetched = await fixture.http.request("GET", `${EXT}/tokens/${created.id}`);
    expect(fetched.body).toEqual({
      id: created.id,
      project_id: fixture.server.projectId,
      name: "lifecycle",
      permissions: ["management"],
      enabled: true,
      expires_at: expiresAt,
      last_used_at: null,
      created_at: clock.now().toISOString(),
      updated_at: clock.now().toISOString(),
      previous_token_expires_at: null,
      last_used_ip: null,
      rate_limit: null,
      uses_remaining: null,
      uses_refill: null,
    });
  });

  test("an expiring token authenticates until the millisecond before its expiry, and not at it", async () => {
    const created = await create({ expires_at: iso(60 * SECOND) });
    clock.advance(60 * SECOND - 1);
    expect(await authenticates(created.token)).toBe(true);
    clock.advance(1);
    expect(await authenticates(created.token)).toBe(false);
  });

  test("an expiry in the past, unparseable, or over 10 years ahead is a 422 naming expires_at", async () => {
    for (const expiresAt of [iso(-SECOND), "next tuesday", "2027-03-01", iso(3700 * DAY)]) {
      const response = await fixture.http.request("POST", `${EXT}/tokens`, {
        json: { name: "x", permissions: ["chat"], expires_at: expiresAt },
      });
      expect(response.status, expiresAt).toBe(422);
      expect(response.body.errors[0].attribute).toBe("expires_at");
    }
  });

  test("an expiry can be removed with null, and the token then never expires", async () => {
    const created = await create({ expires_at: iso(SECOND) });
    expect((await patch(created.id, { expires_at: null })).body.expires_at).toBeNull();
    clock.advance(2 * SECOND);
    expect(await authenticates(created.token)).toBe(true);
  });

  test("a disabled token is refused like a deleted one, and works again once enabled", async () => {
    const created = await create();
    expect(await authenticates(created.token)).toBe(true);
    expect((await patch(created.id, { enabled: false })).body.enabled).toBe(false);
    expect(await authenticates(created.token)).toBe(false);
    expect((await patch(created.id, { enabled: true })).body.enabled).toBe(true);
    expect(await authenticates(created.token)).toBe(true);
  });

  test("disabling an already disabled token is idempotent", async () => {
    const created = await create();
    const first = await patch(created.id, { enabled: false });
    const second = await patch(created.id, { enabled: false });
    expect(second.status).toBe(200);
    expect(second.body.enabled).toBe(false);
    expect(second.body.name).toBe(first.body.name);
  });

  test("a reroll issues a new secret for the same id, name and permissions, shown once", async () => {
    const created = await create({ name: "rolled" });
    const rolled = await reroll(created.id);
    expect(rolled.status).toBe(200);
    expect(rolled.body).toMatchObject({
      id: created.id,
      name: "rolled",
      permissions: ["management"],
    });
    expect(rolled.body.token).toMatch(/^PT[0-9a-f]{48}$/);
    expect(rolled.body.token).not.toBe(created.token);
    expect(await authenticates(rolled.body.token)).toBe(true);
    expect(await authenticates(created.token)).toBe(false);
    const fetched = await fixture.http.request("GET", `${EXT}/tokens/${created.id}`);
    expect(fetched.body.token).toBeUndefined();
  });

  test("during a reroll's overlap both secrets work; at its end the old one stops", async () => {
    const created = await create();
    const rolled = await reroll(created.id, { overlap: "1h" });
    expect(rolled.body.previous_token_expires_at).toBe(iso(3600 * SECOND));
    expect(await authenticates(created.token)).toBe(true);
    expect(await authenticates(rolled.body.token)).toBe(true);
    clock.advance(3600 * SECOND);
    expect(await authenticates(created.token)).toBe(false);
    expect(await authenticates(rolled.body.token)).toBe(true);
  });

  test("an overlap out of range or unreadable is a 422 naming overlap", async () => {
    const created = await create();
    for (const overlap of ["8d", -1, "soon", 604_801]) {
      const response = await reroll(created.id, { overlap });
      expect(response.status, String(overlap)).toBe(422);
      expect(response.body.errors[0].attribute).toBe("overlap");
    }
    expect(await authenticates(created.token)).toBe(true);
  });

  test("rerolling a deleted token is a 404", async () => {
    const created = await create();
    expect((await fixture.http.request("DELETE", `${EXT}/tokens/${created.id}`)).status).toBe(204);
    expect((await reroll(created.id)).status).toBe(404);
  });

  test("last_used_at is the last successful authentication, and advances under load", async () => {
    const created = await create();
    const used = () => fixture.http.request("GET", `${EXT}/tokens/${created.id}`);
    expect((await used()).body.last_used_at).toBeNull();

    const firstUse = clock.now().toISOString();
    await Promise.all(Array.from({ length: 100 }, () => authenticates(created.token)));
    await fixture.server.server.tokenspace.usage.flush();
    expect((await used()).body.last_used_at).toBe(firstUse);

    clock.advance(5 * SECOND);
    await Promise.all(Array.from({ length: 100 }, () => authenticates(created.token)));
    await fixture.server.server.tokenspace.usage.flush();
    expect((await used()).body.last_used_at).toBe(clock.now().toISOString());
  });

  test("expiring_within lists only the tokens expiring between now and then", async () => {
    const soon = await create({ expires_at: iso(2 * DAY) });
    const later = await create({ expires_at: iso(30 * DAY) });
    const listed = await fixture.http.request(
      "GET",
      `${EXT}/tokens?expiring_within=7d&page_size=1000`,
    );
    expect(listed.status).toBe(200);
    const ids = listed.body.data.map((token: { id: string }) => token.id);
    expect(ids).toContain(soon.id);
    expect(ids).not.toContain(later.id);
    expect(listed.body.links.self).toContain("expiring_within=7d");
  });

  test("name finds tokens whose name contains it, ignoring case, Unicode included", async () => {
    const wanted = await create({ name: "Zürich ÉCOLE billing" });
    await create({ name: "Geneva reporting" });
    for (const search of ["école", "ZÜRICH", "ng"]) {
      const listed = await fixture.http.request(
        "GET",
        `${EXT}/tokens?page_size=1000&name=${encodeURIComponent(search)}`,
      );
      expect(listed.status, listed.text).toBe(200);
      const names = listed.body.data.map((token: { name: string }) => token.name);
      expect(names.every((name: string) => name.toLowerCase().includes(search.toLowerCase()))).toBe(
        true,
      );
      if (search !== "ng")
        expect(listed.body.data.map((t: { id: string }) => t.id)).toEqual([wanted.id]);
    }
  });

  test("a name search pages by key and its links keep the search", async () => {
    for (let index = 0; index < 3; index++) await create({ name: `paged search ${index}` });
    const first = await fixture.http.request("GET", `${EXT}/tokens?page_size=2&name=paged+search`);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.links.next).toContain("name=paged%20search");
    const next = await fixture.http.request("GET", first.body.links.next);
    expect(next.body.data.map((token: { name: string }) => token.name)).toEqual(["paged search 2"]);
  });

  test("project_id keeps the tokens of one project of the family", async () => {
    const subproject = await fixture.http.request("POST", `${COMPAT}/Accounts`, {
      form: "FriendlyName=Token+filter+child",
    });
    const sid = subproject.body.sid;
    const child = await create({ name: "child only", subproject_id: sid });
    const inChild = await fixture.http.request("GET", `${EXT}/tokens?project_id=${sid}`);
    expect(inChild.body.data.map((token: { id: string }) => token.id)).toEqual([child.id]);
    const inParent = await fixture.http.request(
      "GET",
      `${EXT}/tokens?page_size=1000&project_id=${fixture.server.projectId}`,
    );
    expect(inParent.body.data.map((token: { id: string }) => token.id)).not.toContain(child.id);
  });

  test("a project_id outside the family lists nothing, and one that is not an id is a 422", async () => {
    const elsewhere = await fixture.http.request(
      "GET",
      `${EXT}/tokens?project_id=00000000-0000-4000-8000-000000000000`,
    );
    expect(elsewhere.body.data).toEqual([]);
    const malformed = await fixture.http.request("GET", `${EXT}/tokens?project_id=nope`);
    expect(malformed.status).toBe(422);
    expect(malformed.body.errors[0].attribute).toBe("project_id");
  });

  test("an unreadable expiring_within is a 422 naming it", async () => {
    const response = await fixture.http.request("GET", `${EXT}/tokens?expiring_within=soon`);
    expect(response.status).toBe(422);
    expect(response.body.errors[0].attribute).toBe("expiring_within");
  });

  test("an expiring_within over 100 years is a 422 naming it", async () => {
    const response = await fixture.http.request("GET", `${EXT}/tokens?expiring_within=999999999d`);
    expect(response.status).toBe(422);
    expect(response.body.errors[0].attribute).toBe("expiring_within");
  });

  test("the compatibility shapes carry none of the lifecycle fields", async () => {
    const created = await create({ expires_at: iso(DAY) });
    const compat = await fixture.api.http.request("GET", fixture.api.token(created.id));
    expect(Object.keys(compat.body).sort()).toEqual(["id", "name", "permissions", "token"]);
  });

  test("introspection calls a disabled, expired or overlapped-out token inactive", async () => {
    const active = async (token: string) =>
      (await fixture.http.request("POST", "/auth/introspect", { json: { token } })).body.active;
    const disabled = await create();
    await patch(disabled.id, { enabled: false });
    expect(await active(disabled.token)).toBe(false);
    const expiring = await create({ expires_at: iso(SECOND) });
    expect(await active(expiring.token)).toBe(true);
    clock.advance(SECOND);
    expect(await active(expiring.token)).toBe(false);
    const rolled = await create();
    await reroll(rolled.id, { overlap: 60 });
    expect(await active(rolled.token)).toBe(true);
    clock.advance(60 * SECOND);
    expect(await active(rolled.token)).toBe(false);
  });

  test("a token of another project is not found, whatever it is", async () => {
    const response = await fixture.http.request(
      "GET",
      `${EXT}/tokens/00000000-0000-4000-8000-000000000000`,
    );
    expect(response.status).toBe(404);
  });
});

describe.skipIf(TEST_STORE !== "postgres")(
  "a reroll's overlap on two nodes sharing PostgreSQL",
  () => {
    const clock = new ManualClock();
    const nodes: TestServer[] = [];
    afterAll(() => Promise.all(nodes.map((node) => node.close())));

    test("both nodes accept the old secret during the overlap and refuse it at its end", async () => {
      const nodeA = await startTestServer({ clock });
      const nodeB = await startTestServer({
        clock,
        database: nodeA.database,
        credentials: { projectId: nodeA.projectId, token: nodeA.token },
      });
      nodes.push(nodeA, nodeB);
      const onA = new HttpClient(nodeA.url, { username: nodeA.projectId, password: nodeA.token });
      const tokens = `${COMPAT}/Accounts/${nodeA.projectId}/tokens`;
      const created = await onA.request("POST", `${EXT}/tokens`, {
        json: { name: "two nodes", permissions: ["management"] },
      });
      const oldSecret = created.body.token;
      const onB = (secret: string) =>
        new HttpClient(nodeB.url, { username: nodeA.projectId, password: secret });
      expect((await onB(oldSecret).request("GET", tokens)).status).toBe(200);

      const rolled = await onA.request("POST", `${EXT}/tokens/${created.body.id}/reroll`, {
        json: { overlap: "10m" },
      });
      expect((await onB(oldSecret).request("GET", tokens)).status).toBe(200);
      expect((await onB(rolled.body.token).request("GET", tokens)).status).toBe(200);

      clock.advance(10 * 60 * SECOND);
      expect((await onB(oldSecret).request("GET", tokens)).status).toBe(401);
      expect(
        (await onA.withCredentials(nodeA.projectId, oldSecret).request("GET", tokens)).status,
      ).toBe(401);
      expect((await onB(rolled.body.token).request("GET", tokens)).status).toBe(200);
    });

    test("without an overlap the old secret stops on the other node within a second", async () => {
      const [nodeA, nodeB] = nodes;
      if (!nodeA || !nodeB) throw new Error("the nodes are not running");
      const onA = new HttpClient(nodeA.url, { username: nodeA.projectId, password: nodeA.token });
      const tokens = `${COMPAT}/Accounts/${nodeA.projectId}/tokens`;
      const created = await onA.request("POST", `${EXT}/tokens`, {
        json: { name: "no overlap", permissions: ["management"] },
      });
      const onB = new HttpClient(nodeB.url, {
        username: nodeA.projectId,
        password: created.body.token,
      });
      expect((await onB.request("GET", tokens)).status).toBe(200);
      await onA.request("POST", `${EXT}/tokens/${created.body.id}/reroll`, { json: {} });
      const started = performance.now();
      let status = 200;
      while (status === 200 && performance.now() - started < 5000) {
        status = (await onB.request("GET", tokens)).status;
      }
      expect(status).toBe(401);
      expect(performance.now() - started).toBeLessThan(1000);
    });
  },
);
