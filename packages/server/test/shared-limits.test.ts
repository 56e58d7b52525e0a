import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ServeProcess, serve } from "./support/cli.js";
import { HttpClient } from "./support/http-client.js";
import { TEST_STORE } from "./support/test-database.js";
import { bootstrappedDatabase } from "./support/test-server.js";

const EXT = "/api/tokenspace";
const REDIS_URL = "redis://127.0.0.1:6379";

/** Two nodes on one PostgreSQL database, counting rates in it or in Redis. */
function twoNodes(counting: "postgres" | "redis") {
  let projectId = "";
  let bootstrapToken = "";
  const nodes: { directory?: string; a?: ServeProcess; b?: ServeProcess } = {};

  beforeAll(async () => {
    nodes.directory = mkdtempSync(join(tmpdir(), "tokenspace-limits-"));
    const prepared = await bootstrappedDatabase(nodes.directory);
    ({ projectId, token: bootstrapToken } = prepared);
    const env = {
      ...prepared.env,
      ...(counting === "redis" && { TOKENSPACE_REDIS_URL: REDIS_URL }),
    };
    [nodes.a, nodes.b] = await Promise.all([serve({ env }), serve({ env })]);
  });
  afterAll(async () => {
    await Promise.all([nodes.a?.stop(), nodes.b?.stop()]);
    if (nodes.directory) rmSync(nodes.directory, { recursive: true, force: true });
  });

  const admin = () =>
    new HttpClient(nodes.a?.url ?? "", { username: projectId, password: bootstrapToken });
  const create = async (limits: Record<string, unknown>) => {
    const response = await admin().request("POST", `${EXT}/tokens`, {
      json: { name: "shared limits", permissions: ["chat"], ...limits },
    });
    expect(response.status, response.text).toBe(201);
    return response.body as { id: string; token: string };
  };
  /** A verification on node A for even `index`, node B for odd. */
  const verifyOn = (index: number, token: string) =>
    new HttpClient((index % 2 === 0 ? nodes.a?.url : nodes.b?.url) ?? "", {
      username: projectId,
      password: token,
    })
      .request("GET", "/auth/verify")
      .then((response) => response.status);
  return { admin, create, verifyOn };
}

describe.skipIf(TEST_STORE !== "postgres")("limits shared by two nodes", () => {
  describe.each(["postgres", "redis"] as const)("counting rates in %s", (counting) => {
    const nodes = twoNodes(counting);

    test("two nodes spend a token's uses exactly, never one more", async () => {
      const created = await nodes.create({ uses_remaining: 30 });
      const statuses = await Promise.all(
        Array.from({ length: 80 }, (_, index) => nodes.verifyOn(index, created.token)),
      );
      expect(statuses.filter((status) => status === 200)).toHaveLength(30);
      expect(statuses.filter((status) => status === 429)).toHaveLength(50);
    });

    test("two nodes hold one rate limit: the limit, and at most half of it more", async () => {
      const created = await nodes.create({ rate_limit: { limit: 20, window: "1h" } });
      const statuses: number[] = [];
      for (let index = 0; index < 60; index++)
        statuses.push(await nodes.verifyOn(index, created.token));
      const allowed = statuses.filter((status) => status === 200).length;
      expect(allowed).toBeGreaterThanOrEqual(20);
      expect(allowed).toBeLessThanOrEqual(30);
      // Once each node has added its own verifications, both see the window full.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await nodes.verifyOn(0, created.token)).toBe(429);
      expect(await nodes.verifyOn(1, created.token)).toBe(429);
    });
  });
});
