import { verifyWebhook } from "@tokenspace/sdk";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { COMPAT } from "./support/compat.js";
import { useTestServer } from "./support/fixtures.js";
import { ManualClock } from "./support/manual-clock.js";
import { normalizedHeaders, WebhookReceiver } from "./support/webhook-receiver.js";

const EXT = "/api/tokenspace";
const DAY = 86_400_000;
const WEBHOOK_SECRET = "a webhook secret for the tests";

describe("the audit log on /api/tokenspace/audit", () => {
  const clock = new ManualClock();
  const receiver = new WebhookReceiver();
  let webhookUrl = "";
  beforeAll(async () => {
    webhookUrl = await receiver.start();
  });
  afterAll(() => receiver.close());
  const fixture = useTestServer({
    clock,
    env: {
      get TOKENSPACE_WEBHOOK_URL() {
        return webhookUrl;
      },
      TOKENSPACE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      // Retries at once: the schedule's shape is the deliverer's, its scale the setting's.
      TOKENSPACE_WEBHOOK_RETRY_BASE_MS: "0",
      TOKENSPACE_AUDIT_RETENTION_DAYS: "30",
    },
  });

  const entries = async (query = "") => {
    const response = await fixture.http.request("GET", `${EXT}/audit?page_size=1000${query}`);
    expect(response.status, response.text).toBe(200);
    return response.body.data as {
      action: string;
      target: { type: string; id: string };
      actor: { project_id: string | null; token_id: string | null };
      request_id: string;
      client_address: string;
      details: Record<string, unknown>;
      occurred_at: string;
    }[];
  };
  const forTarget = async (id: string) => entries(`&target=${id}`);
  /** A token created at `time` (the clock is left there); its id. */
  const createdAt = async (time: number, name: string) => {
    clock.set(time);
    const created = await fixture.http.request("POST", `${EXT}/tokens`, {
      json: { name, permissions: ["chat"] },
    });
    return created.body.id as string;
  };
  /** Which of `ids` the log still holds entries for, in the log's order. */
  const targetsLeft = async (ids: readonly string[]) => {
    const asked = new Set(ids);
    return (await entries())
      .filter((entry) => asked.has(entry.target.id))
      .map((entry) => entry.target.id);
  };
  const bootstrapTokenId = async () => {
    const listed = await fixture.api.http.request("GET", `${fixture.api.tokens()}?PageSize=1000`);
    return listed.body.tokens.find((token: { name: string }) => token.name === "bootstrap").id;
  };

  test("every token action is recorded with its actor, request id, client address and time", async () => {
    const created = await fixture.http.request("POST", `${EXT}/tokens`, {
      json: { name: "audited", permissions: ["chat"] },
      headers: { "x-request-id": "audit-create-1" },
    });
    const id = created.body.id;
    await fixture.http.request("PATCH", `${EXT}/tokens/${id}`, { json: { name: "renamed" } });
    await fixture.http.request("PATCH", `${EXT}/tokens/${id}`, { json: { enabled: false } });
    await fixture.http.request("PATCH", `${EXT}/tokens/${id}`, { json: { enabled: true } });
    await fixture.http.request("POST", `${EXT}/tokens/${id}/reroll`, { json: { overlap: 60 } });
    await fixture.http.request("DELETE", `${EXT}/tokens/${id}`);

    const recorded = await forTarget(id);
    expect(recorded.map((entry) => entry.action)).toEqual([
      "token.created",
      "token.updated",
      "token.disabled",
      "token.enabled",
      "token.rerolled",
      "token.deleted",
    ]);
    const actorToken = await bootstrapTokenId();
    for (const entry of recorded) {
      expect(entry.actor).toEqual({ project_id: fixture.server.projectId, token_id: actorToken });
      expect(entry.client_address).toBe("127.0.0.1");
      expect(entry.occurred_at).toBe(clock.now().toISOString());
    }
    expect(recorded[0]?.request_id).toBe("audit-create-1");
    expect(recorded[1]?.details).toEqual({ fields: ["name"] });
    expect(recorded[4]?.details).toEqual({ overlap_seconds: 60 });
  });

  test("changes through the compatibility surface are recorded too", async () => {
    const created = await fixture.api.createToken("compat", ["fax"]);
    await fixture.api.http.request("PATCH", fixture.api.token(created.id), {
      json: { permissions: ["chat"] },
    });
    await fixture.api.http.request("DELETE", fixture.api.token(created.id));
    expect((await forTarget(created.id)).map((entry) => entry.action)).toEqual([
      "token.created",
      "token.updated",
      "token.deleted",
    ]);
  });

  test("subprojects created and renamed are recorded, and their tokens reach the parent's log", async () => {
    const subproject = await fixture.http.request("POST", `${COMPAT}/Accounts`, {
      form: "FriendlyName=Audited+child",
    });
    const sid = subproject.body.sid;
    await fixture.http.request("POST", `${COMPAT}/Accounts/${sid}`, {
      form: "FriendlyName=Renamed+child",
    });
    const token = await fixture.http.request("POST", `${EXT}/tokens`, {
      json: { name: "child token", permissions: ["chat"], subproject_id: sid },
    });
    expect((await forTarget(sid)).map((entry) => entry.action)).toEqual([
      "subproject.created",
      "subproject.renamed",
    ]);
    expect((await forTarget(token.body.id)).map((entry) => entry.action)).toEqual([
      "token.created",
    ]);
  });

  test("a failed write leaves no entry", async () => {
    const before = (await entries()).length;
    const missing = "00000000-0000-4000-8000-000000000000";
    await fixture.http.request("PATCH", `${EXT}/tokens/${missing}`, { json: { name: "x" } });
    await fixture.http.request("POST", `${EXT}/tokens`, {
      json: { name: "x", permissions: ["nope"] },
    });
    await fixture.api.http.request("DELETE", fixture.api.token(missing));
    expect((await entries()).length).toBe(before);
  });

  test("no entry holds a secret or a digest", async () => {
    const created = await fixture.http.request("POST", `${EXT}/tokens`, {
      json: { name: "secretive", permissions: ["chat"] },
    });
    const rolled = await fixture.http.request("POST", `${EXT}/tokens/${created.body.id}/reroll`, {
      json: {},
    });
    const text = JSON.stringify(await entries());
    expect(text).not.toContain(created.body.token);
    expect(text).not.toContain(rolled.body.token);
    expect(text).not.toMatch(/PT[0-9a-f]{48}/);
  });

  test("entries filter by action and by time range", async () => {
    const created = await fixture.http.request("POST", `${EXT}/tokens`, {
      json: { name: "filtered", permissions: ["chat"] },
    });
    clock.advance(DAY);
    await fixture.http.request("DELETE", `${EXT}/tokens/${created.body.id}`);
    const deletions = await entries("&action=token.deleted");
    expect(deletions.every((entry) => entry.action === "token.deleted")).toBe(true);
    expect(deletions.map((entry) => entry.target.id)).toContain(created.body.id);
    const recent = await entries("&since=1h");
    expect(recent.map((entry) => entry.action)).toEqual(["token.deleted"]);
    const until = encodeURIComponent(clock.now().toISOString());
    const older = await entries(`&until=${until}&target=${created.body.id}`);
    expect(older.map((entry) => entry.action)).toEqual(["token.created"]);
  });

  test("project_id keeps the entries of that subproject only", async () => {
    const subproject = await fixture.http.request("POST", `${COMPAT}/Accounts`, {
      form: "FriendlyName=Filtered+child",
    });
    const sid = subproject.body.sid;
    await fixture.http.request("POST", `${EXT}/tokens`, {
      json: { name: "in the child", permissions: ["chat"], subproject_id: sid },
    });
    const childEntries = await entries(`&project_id=${sid}`);
    expect(childEntries.map((entry) => entry.action)).toEqual([
      "subproject.created",
      "token.created",
    ]);
    const parentEntries = await entries(`&project_id=${fixture.server.projectId}`);
    expect(parentEntries.some((entry) => entry.target.id === sid)).toBe(false);
  });

  test("order=newest_first pages from the latest entry back, and its links keep the order", async () => {
    const all = await entries();
    const first = await fixture.http.request("GET", `${EXT}/audit?page_size=2&order=newest_first`);
    expect(first.body.data.map((entry: { id: number }) => entry.id)).toEqual(
      all
        .map((entry) => (entry as unknown as { id: number }).id)
        .reverse()
        .slice(0, 2),
    );
    expect(first.body.links.next).toContain("order=newest_first");
    const second = await fixture.http.request("GET", first.body.links.next);
    expect(second.body.data[0].id).toBeLessThan(first.body.data[1].id);
    const back = await fixture.http.request("GET", second.body.links.prev);
    expect(back.body.data).toEqual(first.body.data);
  });

  test("unknown filter values are a 422 naming the filter", async () => {
    for (const [query, attribute] of [
      ["&action=token.exploded", "action"],
      ["&since=yesterday", "since"],
      ["&target=not-an-id", "target"],
      ["&project_id=not-an-id", "project_id"],
      ["&order=sideways", "order"],
    ]) {
      const response = await fixture.http.request("GET", `${EXT}/audit?${query}`);
      expect(response.status, query).toBe(422);
      expect(response.body.errors[0].attribute).toBe(attribute);
    }
  });

  test("a since or until further back than 100 years is a 422 naming it", async () => {
    for (const attribute of ["since", "until"]) {
      const response = await fixture.http.request("GET", `${EXT}/audit?${attribute}=999999999d`);
      expect(response.status).toBe(422);
      expect(response.body.errors[0].attribute).toBe(attribute);
    }
  });

  test("the audit log pages by key", async () => {
    const first = await fixture.http.request("GET", `${EXT}/audit?page_size=2`);
    expect(first.body.data).toHaveLength(2);
    const next = await fixture.http.request("GET", first.body.links.next);
    expect(next.body.data[0].id).toBeGreaterThan(first.body.data[1].id);
  });

  test("a passed expiry is recorded once, and announced to the webhook, signed", async () => {
    const { maintenance } = fixture.server.server.tokenspace;
    // The test sweeps for expiries itself: the server's own sweep, every second, could take
    // this expiry first (the full suite saw it once).
    await maintenance.stop();
    const created = await fixture.http.request("POST", `${EXT}/tokens`, {
      json: {
        name: "expiring",
        permissions: ["chat"],
        expires_at: new Date(clock.now().getTime() + 1000).toISOString(),
      },
    });
    clock.advance(1000);
    expect(await maintenance.recordExpiries()).toBe(1);
    expect(await maintenance.recordExpiries()).toBe(0);
    expect((await forTarget(created.body.id)).map((entry) => entry.action)).toEqual([
      "token.created",
      "token.expired",
    ]);
    // Earlier tests' announcements may be delivered first, and this one after a busy moment.
    const expiry = await receiver.waitForOne((delivery) => delivery.body.includes(created.body.id));
    expect(expiry).toBeDefined();
    const event = await verifyWebhook(
      WEBHOOK_SECRET,
      normalizedHeaders(expiry?.headers ?? {}),
      expiry?.body ?? "",
    );
    expect(event).toEqual({
      id: expect.stringMatching(/^msg_[0-9a-f]{32}$/),
      type: "token.expired",
      timestamp: expect.any(String),
      data: {
        token: { id: created.body.id, project_id: fixture.server.projectId, name: "expiring" },
      },
    });
  });

  test("a webhook delivery that fails is retried with backoff until it is accepted", async () => {
    const created = await fixture.http.request("POST", `${EXT}/tokens`, {
      json: { name: "retried", permissions: ["chat"] },
    });
    const attemptsBefore = receiver.attempts;
    receiver.failures = 2;
    await fixture.http.request("DELETE", `${EXT}/tokens/${created.body.id}`);
    const deleted = await receiver.waitForOne((delivery) =>
      delivery.body.includes(created.body.id),
    );
    expect(JSON.parse(deleted?.body ?? "{}").type).toBe("token.deleted");
    expect(receiver.attempts - attemptsBefore).toBe(3);
  });

  test("a reroll is announced to the webhook", async () => {
    const created = await fixture.http.request("POST", `${EXT}/tokens`, {
      json: { name: "announced reroll", permissions: ["chat"] },
    });
    await fixture.http.request("POST", `${EXT}/tokens/${created.body.id}/reroll`, { json: {} });
    const announced = await receiver.waitForOne((delivery) =>
      delivery.body.includes(created.body.id),
    );
    expect(JSON.parse(announced?.body ?? "{}").type).toBe("token.rerolled");
    expect(announced?.body).not.toMatch(/PT[0-9a-f]{48}/);
  });

  test("entries older than the retention are pruned, with the webhook deliveries settled and the usage counted before then", async () => {
    expect((await entries()).length).toBeGreaterThan(0);
    expect(await fixture.server.database.countRows("webhook_outbox")).toBeGreaterThan(0);
    const verified = await fixture.http.request("GET", "/auth/verify");
    expect(verified.status).toBe(200);
    await fixture.server.server.tokenspace.usage.flush();
    expect(await fixture.server.database.countRows("usage_counts")).toBeGreaterThan(0);
    clock.advance(31 * DAY);
    await fixture.http.request("POST", `${EXT}/tokens`, {
      json: { name: "after retention", permissions: ["chat"] },
    });
    const pruned = await fixture.server.server.tokenspace.maintenance.pruneAudit();
    expect(pruned).toBeGreaterThan(0);
    expect((await entries()).map((entry) => entry.action)).toEqual(["token.created"]);
    expect(await fixture.server.database.countRows("webhook_outbox")).toBe(0);
    expect(await fixture.server.database.countRows("usage_counts")).toBe(0);
  });

  test("retention prunes the entries older than it, one written after a newer entry (a clock set back) too, and keeps the newer", async () => {
    const old = clock.now().getTime();
    const recent = old + 31 * DAY;
    const first = await createdAt(old, "written first, old");
    const inside = await createdAt(recent, "inside the retention");
    const late = await createdAt(old, "written last, old");
    const kept = () => targetsLeft([first, inside, late]);

    clock.set(recent);
    await fixture.server.server.tokenspace.maintenance.pruneAudit();
    expect(await kept()).toEqual([inside]);

    clock.set(recent + 31 * DAY);
    await fixture.server.server.tokenspace.maintenance.pruneAudit();
    expect(await kept()).toEqual([]);
  });

  test("an entry from a clock set ahead stays until its time and holds back none of the older entries written after it", async () => {
    const old = clock.now().getTime();
    const ahead = await createdAt(old + 365 * DAY, "from a clock set ahead");
    const behind: string[] = [];
    for (let index = 0; index < 5; index++) behind.push(await createdAt(old, `old ${index}`));
    const kept = () => targetsLeft([ahead, ...behind]);

    clock.set(old + 31 * DAY);
    await fixture.server.server.tokenspace.audit.prune(30, 2);
    expect(await kept()).toEqual([ahead]);
  });
});
