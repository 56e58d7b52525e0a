import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { loadConfig } from "../src/runtime/config.js";
import { openTokenspace } from "../src/runtime/tokenspace.js";
import { type ServeProcess, serve } from "./support/cli.js";
import { COMPAT } from "./support/compat.js";
import { type ApiResponse, HttpClient } from "./support/http-client.js";
import { createTestDatabase, TEST_STORE } from "./support/test-database.js";
import { bootstrappedDatabase, newSecret } from "./support/test-server.js";

const REVOCATION_BOUND_MS = 1000;
const EXT = "/api/tokenspace";

/** Polls until the request is refused; returns how long that took. */
async function millisecondsUntilRefused(request: () => Promise<ApiResponse>): Promise<number> {
  const started = performance.now();
  for (;;) {
    const response = await request();
    if (response.status === 401) return performance.now() - started;
    expect(response.status).toBe(200);
    if (performance.now() - started > 5 * REVOCATION_BOUND_MS) return Number.POSITIVE_INFINITY;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.skipIf(TEST_STORE !== "postgres")("two server processes on one PostgreSQL", () => {
  const projectId = randomUUID();
  const bootstrapToken = newSecret();
  let directory: string;
  let nodeA: ServeProcess;
  let nodeB: ServeProcess;
  let onA: HttpClient;
  let onB: HttpClient;
  let databaseEnv: Record<string, string>;
  const tokens = `${COMPAT}/Accounts/${projectId}/tokens`;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), "tokenspace-nodes-"));
    const database = await createTestDatabase(directory);
    databaseEnv = { ...database.env, DATABASE_URL: database.url };
    const env = {
      ...databaseEnv,
      TOKENSPACE_BOOTSTRAP_PROJECT_ID: projectId,
      TOKENSPACE_BOOTSTRAP_TOKEN: bootstrapToken,
      // The revocation races below send thousands of refused writes from this one address on
      // purpose; the guess budget they would spend is tested on nodes of its own, further down.
      TOKENSPACE_AUTH_FAILURES_PER_MINUTE: "0",
    };
    [nodeA, nodeB] = await Promise.all([serve({ env }), serve({ env })]);
    onA = new HttpClient(nodeA.url, { username: projectId, password: bootstrapToken });
    onB = new HttpClient(nodeB.url, { username: projectId, password: bootstrapToken });
  });
  afterAll(async () => {
    await Promise.all([nodeA?.stop(), nodeB?.stop()]);
    rmSync(directory, { recursive: true, force: true });
  });

  const createOnA = async (permissions: string[]) => {
    const response = await onA.request("POST", tokens, { json: { name: "shared", permissions } });
    expect(response.status).toBe(200);
    return response.body as { id: string; token: string };
  };

  test("nodes starting together on an empty database migrate and bootstrap once", async () => {
    const listed = await onB.request("GET", `${tokens}?PageSize=1000`);
    expect(
      listed.body.tokens.filter((token: { name: string }) => token.name === "bootstrap"),
    ).toHaveLength(1);
  });

  test("a token created on node A authenticates on node B on the next request", async () => {
    const created = await createOnA(["management"]);
    const response = await onB.withCredentials(projectId, created.token).request("GET", tokens);
    expect(response.status).toBe(200);
  });

  test("a token deleted on node A is refused on node B within a second", async () => {
    const created = await createOnA(["management"]);
    const asCreatedOnB = onB.withCredentials(projectId, created.token);
    expect((await asCreatedOnB.request("GET", tokens)).status).toBe(200);

    expect((await onA.request("DELETE", `${tokens}/${created.id}`)).status).toBe(204);

    const elapsed = await millisecondsUntilRefused(() => asCreatedOnB.request("GET", tokens));
    expect(elapsed).toBeLessThan(REVOCATION_BOUND_MS);
  });

  test("a token whose management permission is removed on node A is refused on node B within a second", async () => {
    const created = await createOnA(["management", "chat"]);
    const asCreatedOnB = onB.withCredentials(projectId, created.token);
    expect((await asCreatedOnB.request("GET", tokens)).status).toBe(200);

    await onA.request("PATCH", `${tokens}/${created.id}`, { json: { permissions: ["chat"] } });

    const elapsed = await millisecondsUntilRefused(() => asCreatedOnB.request("GET", tokens));
    expect(elapsed).toBeLessThan(REVOCATION_BOUND_MS);
  });

  test("a token read on node B shows a rename made on node A within a second", async () => {
    const created = await createOnA(["chat"]);
    expect((await onB.request("GET", `${tokens}/${created.id}`)).body.name).toBe("shared");

    await onA.request("PATCH", `${tokens}/${created.id}`, { json: { name: "renamed on A" } });

    const started = performance.now();
    let name = "";
    while (performance.now() - started < 5 * REVOCATION_BOUND_MS) {
      name = (await onB.request("GET", `${tokens}/${created.id}`)).body.name;
      if (name === "renamed on A") break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(name).toBe("renamed on A");
    expect(performance.now() - started).toBeLessThan(REVOCATION_BOUND_MS);
  });

  test("a token deleted on node A is not found on node B within a second, though B just read it", async () => {
    const created = await createOnA(["chat"]);
    expect((await onB.request("GET", `${tokens}/${created.id}`)).status).toBe(200);

    expect((await onA.request("DELETE", `${tokens}/${created.id}`)).status).toBe(204);

    const started = performance.now();
    let status = 200;
    while (status === 200 && performance.now() - started < 5 * REVOCATION_BOUND_MS) {
      status = (await onB.request("GET", `${tokens}/${created.id}`)).status;
    }
    expect(status).toBe(404);
    expect(performance.now() - started).toBeLessThan(REVOCATION_BOUND_MS);
  });

  /** Changes a token in the database behind every node's back: no node is told, none forgets it. */
  const changeBehindNodes = async (tokenId: string, assignments: string) => {
    const admin = new pg.Client({ connectionString: databaseEnv.DATABASE_URL });
    await admin.connect();
    await admin.query(
      `UPDATE tokens SET ${assignments}, updated_at = updated_at + interval '5 milliseconds' WHERE id = $1`,
      [tokenId],
    );
    await admin.end();
  };

  /**
   * A management token created on node A, used (and so cached) on node B through `cachedAt`,
   * then changed behind both nodes: what B holds is stale until the cache lifetime ends.
   */
  const staleOnB = async (assignments: string, cachedAt = tokens) => {
    const created = await createOnA(["management"]);
    const onBAsIt = onB.withCredentials(projectId, created.token);
    expect((await onBAsIt.request("GET", cachedAt)).status).toBe(200);
    await changeBehindNodes(created.id, assignments);
    return { id: created.id, onBAsIt };
  };

  test("a create on node B with a credential changed since B cached it is made once the store confirms the credential", async () => {
    const changed = await staleOnB("name = 'renamed in the database'");

    const write = await changed.onBAsIt.request("POST", tokens, {
      json: { name: "written by a changed credential", permissions: ["chat"] },
    });
    expect(write.status).toBe(200);
    const audit = await onA.request("GET", `${EXT}/audit?target=${write.body.id}`);
    expect(audit.body.data[0]).toMatchObject({ actor: { token_id: changed.id } });
  });

  test("a create and a delete on node B with a credential disabled since B cached it are refused", async () => {
    const victim = await createOnA(["chat"]);
    const { onBAsIt } = await staleOnB("enabled = false");

    const write = await onBAsIt.request("POST", tokens, {
      json: { name: "written by a disabled credential", permissions: ["chat"] },
    });
    expect(write.status).toBe(401);
    expect((await onBAsIt.request("DELETE", `${tokens}/${victim.id}`)).status).toBe(401);
    expect((await onA.request("GET", `${tokens}/${victim.id}`)).status).toBe(200);
  });

  test("an update on node B with a credential disabled since B cached it is refused, and one with a credential changed since is made", async () => {
    const victim = await createOnA(["chat"]);
    const disabled = await staleOnB("enabled = false");
    const renamed = await staleOnB("name = 'renamed in the database'");

    const path = `${tokens}/${victim.id}`;
    const refused = await disabled.onBAsIt.request("PATCH", path, {
      json: { name: "by disabled" },
    });
    expect(refused.status).toBe(401);
    const made = await renamed.onBAsIt.request("PATCH", path, { json: { name: "by renamed" } });
    expect(made.status).toBe(200);
    expect((await onA.request("GET", path)).body).toMatchObject({ name: "by renamed" });
  });

  test("on the extension surface too, a create and a delete with a credential disabled since node B cached it are refused", async () => {
    const victim = await createOnA(["chat"]);
    const { onBAsIt } = await staleOnB("enabled = false", `${EXT}/tokens`);

    const write = await onBAsIt.request("POST", `${EXT}/tokens`, {
      json: { name: "written by a disabled credential", permissions: ["chat"] },
    });
    expect(write.status).toBe(401);
    expect((await onBAsIt.request("DELETE", `${EXT}/tokens/${victim.id}`)).status).toBe(401);
    expect((await onA.request("GET", `${EXT}/tokens/${victim.id}`)).status).toBe(200);
  });

  test("on the extension surface, a create with a credential changed since node B cached it is made", async () => {
    const { onBAsIt } = await staleOnB("name = 'renamed in the database'", `${EXT}/tokens`);

    const write = await onBAsIt.request("POST", `${EXT}/tokens`, {
      json: { name: "written by a changed credential", permissions: ["chat"] },
    });
    expect(write.status).toBe(201);
  });

  test("revocation still reaches node B within a second when its notification channel was cut", async () => {
    const created = await createOnA(["management"]);
    const asCreatedOnB = onB.withCredentials(projectId, created.token);
    expect((await asCreatedOnB.request("GET", tokens)).status).toBe(200);

    const admin = new pg.Client({ connectionString: inject("postgresUrl") ?? undefined });
    await admin.connect();
    const { rowCount } = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = current_database() AND query LIKE 'LISTEN tokenspace_revocations%'`,
    );
    await admin.end();
    expect(rowCount).toBeGreaterThanOrEqual(2);
    await onA.request("DELETE", `${tokens}/${created.id}`);

    const elapsed = await millisecondsUntilRefused(() => asCreatedOnB.request("GET", tokens));
    expect(elapsed).toBeLessThan(REVOCATION_BOUND_MS);
  });

  test("concurrent updates of one token from two nodes never mix two updates", async () => {
    const created = await createOnA(["chat"]);
    const path = `${tokens}/${created.id}`;
    for (let round = 0; round < 25; round++) {
      const [fromA, fromB] = await Promise.all([
        onA.request("PATCH", path, {
          json: { name: `A${round}`, permissions: ["calling", "fax"] },
        }),
        onB.request("PATCH", path, { json: { name: `B${round}`, permissions: ["video"] } }),
      ]);
      expect([fromA.status, fromB.status]).toEqual([200, 200]);
      const stored = (await onB.request("GET", path)).body;
      const expected = [
        { ...stored, name: `A${round}`, permissions: ["calling", "fax"] },
        { ...stored, name: `B${round}`, permissions: ["video"] },
      ];
      expect(expected).toContainEqual(stored);
    }
  });

  test("concurrent updates of different fields from two nodes lose neither", async () => {
    const created = await createOnA(["chat"]);
    const path = `${tokens}/${created.id}`;
    for (let round = 0; round < 25; round++) {
      const permissions = round % 2 === 0 ? ["fax"] : ["numbers", "video"];
      await Promise.all([
        onA.request("PATCH", path, { json: { name: `round ${round}` } }),
        onB.request("PATCH", path, { json: { permissions } }),
      ]);
      const stored = (await onA.request("GET", path)).body;
      expect(stored).toMatchObject({ name: `round ${round}`, permissions });
    }
  });

  test("a credential deleted on node A never writes on node B after A's 204 (1 000 trials)", async () => {
    // B's write check asks the store, never its cache, so a stale credential would write in
    // every trial, not in a rare one; 1 000 trials, 16 at a time, keep margin over that.
    const TRIALS = 1_000;
    const WORKERS = 16;
    // The victims are stored in one write beforehand, so the trials spend their time on the race.
    const victims = Array.from({ length: TRIALS }, (_, index) => ({
      name: `victim ${index}`,
      permissions: ["management"],
      secret: newSecret(),
    }));
    const tokenspace = await openTokenspace(loadConfig(databaseEnv));
    const ids = await tokenspace.tokens
      .importTokens(projectId, victims)
      .finally(() => tokenspace.close());
    let writesAfterDelete = 0;
    let next = 0;
    const trial = async (index: number) => {
      const victim = { id: ids[index], token: victims[index]?.secret ?? "" };
      const asVictimOnB = onB.withCredentials(projectId, victim.token);
      // B has just verified, and so cached, the credential it is about to be asked to use
      // (forward auth and the API share one credential cache).
      expect((await asVictimOnB.request("GET", "/auth/verify")).status).toBe(200);
      expect((await onA.request("DELETE", `${tokens}/${victim.id}`)).status).toBe(204);
      const write = await asVictimOnB.request("POST", tokens, {
        json: { name: "written after delete", permissions: ["management"] },
      });
      // Refused is 401, or 429 once the failed authentications from this address use up their
      // budget; anything else would be a write.
      if (write.status !== 401 && write.status !== 429) writesAfterDelete++;
    };
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        while (next < TRIALS) await trial(next++);
      }),
    );
    expect(writesAfterDelete).toBe(0);
    const listed = await onA.request("GET", `${tokens}?PageSize=1000`);
    const written = listed.body.tokens.filter(
      (token: { name: string }) => token.name === "written after delete",
    );
    expect(written).toEqual([]);
  }, 600_000);

  test("a credential downgraded on node A cannot write on node B after A's answer", async () => {
    for (let index = 0; index < 100; index++) {
      const victim = await createOnA(["management", "chat"]);
      const asVictimOnB = onB.withCredentials(projectId, victim.token);
      expect((await asVictimOnB.request("GET", `${tokens}?PageSize=1`)).status).toBe(200);
      const downgrade = await onA.request("PATCH", `${tokens}/${victim.id}`, {
        json: { permissions: ["chat"] },
      });
      expect(downgrade.status).toBe(200);
      const write = await asVictimOnB.request("POST", tokens, {
        json: { name: "written after downgrade", permissions: ["chat"] },
      });
      expect(write.status).toBe(401);
    }
  }, 120_000);
});

describe.skipIf(TEST_STORE !== "postgres")("the guess budget across two nodes", () => {
  test("with the address's budget spent, a token created on node A works on node B at once, through the API and forward auth", async () => {
    const directory = mkdtempSync(join(tmpdir(), "tokenspace-nodes-"));
    const { env, projectId, token: bootstrapToken } = await bootstrappedDatabase(directory);
    const [nodeA, nodeB] = await Promise.all([serve({ env }), serve({ env })]);
    try {
      const tokens = `${COMPAT}/Accounts/${projectId}/tokens`;
      const onA = new HttpClient(nodeA.url, { username: projectId, password: bootstrapToken });
      const wrong = new HttpClient(nodeB.url, { username: projectId, password: newSecret() });
      let status = 0;
      for (let attempt = 0; attempt < 100 && status !== 429; attempt++) {
        status = (await wrong.request("GET", tokens)).status;
      }
      expect(status).toBe(429);
      const outcomes: number[] = [];
      // From over the budget, node B paces its store lookups (20 a second per address), so
      // each trial waits its turn.
      for (let trial = 0; trial < 3; trial++) {
        const created = await onA.request("POST", tokens, {
          json: { name: "fresh", permissions: ["management"] },
        });
        const asCreated = new HttpClient(nodeB.url, {
          username: projectId,
          password: created.body.token,
        });
        outcomes.push((await asCreated.request("GET", tokens)).status);
        outcomes.push((await asCreated.request("GET", "/auth/verify")).status);
      }
      expect(outcomes.filter((outcome) => outcome !== 200)).toEqual([]);
      expect((await wrong.request("GET", tokens)).status).toBe(429);
    } finally {
      await Promise.all([nodeA.stop(), nodeB.stop()]);
      rmSync(directory, { recursive: true, force: true });
    }
  }, 60_000);
});

describe.skipIf(TEST_STORE !== "postgres")("nodes starting together on an empty PostgreSQL", () => {
  test("create one Default Project, and exactly one of them prints its token", async () => {
    const directory = mkdtempSync(join(tmpdir(), "tokenspace-nodes-"));
    const database = await createTestDatabase(directory);
    const env = { ...database.env, DATABASE_URL: database.url };
    const nodes = await Promise.all([serve({ env }), serve({ env }), serve({ env })]);
    try {
      const banners = nodes.filter((node) => node.stderr().includes("API token"));
      expect(banners).toHaveLength(1);
      expect(await database.countRows("projects")).toBe(1);
      expect(await database.countRows("tokens")).toBe(1);
    } finally {
      await Promise.all(nodes.map((node) => node.stop()));
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
