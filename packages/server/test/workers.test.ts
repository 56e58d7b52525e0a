import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ServeProcess, serve } from "./support/cli.js";
import { COMPAT } from "./support/compat.js";
import { HttpClient } from "./support/http-client.js";
import { TEST_STORE } from "./support/test-database.js";
import { bootstrappedDatabase } from "./support/test-server.js";

const EXT = "/api/tokenspace";
/** A new connection for each request, so that the cluster hands requests to every worker. */
const NEW_CONNECTION = { connection: "close" };

/** The processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" })
      .split("\n")
      .map((line) => Number(line.trim()))
      .filter((child) => child > 0);
  } catch {
    return [];
  }
}

/** Whether a process with this id still runs (signal 0 only asks). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe(`tokenspace serve --workers 2 (${TEST_STORE})`, () => {
  let projectId: string;
  let directory: string;
  let server: ServeProcess;
  let admin: HttpClient;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), "tokenspace-workers-"));
    const prepared = await bootstrappedDatabase(directory);
    projectId = prepared.projectId;
    server = await serve({
      env: { ...prepared.env, TOKENSPACE_AUTH_FAILURES_PER_MINUTE: "3" },
      args: ["--workers", "2"],
    });
    admin = new HttpClient(server.url, { username: projectId, password: prepared.token });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  const create = async (body: Record<string, unknown> = {}) => {
    const response = await admin.request("POST", `${EXT}/tokens`, {
      json: { name: "across workers", permissions: ["management"], ...body },
    });
    expect(response.status, response.text).toBe(201);
    return response.body as { id: string; token: string };
  };
  const verifyOnAnyWorker = (token: string) =>
    admin
      .withCredentials(projectId, token)
      .request("GET", "/auth/verify", { headers: NEW_CONNECTION })
      .then((response) => response.status);

  test("one port is served by two worker processes under the one started", async () => {
    expect(childrenOf(server.process.pid ?? 0)).toHaveLength(2);
    const listed = await admin.request("GET", `${COMPAT}/Accounts/${projectId}/tokens`);
    expect(listed.status).toBe(200);
    const started = server
      .stdout()
      .split("\n")
      .filter((line) => line.includes("is listening"));
    expect(started).toHaveLength(1);
    expect(JSON.parse(started[0] ?? "{}")).toMatchObject({ workers: 2 });
  });

  test("the failed-authentication budget is one for both workers", async () => {
    const wrong = admin.withCredentials(projectId, `PT${"0".repeat(48)}`);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 8; attempt++) {
      const response = await wrong.request("GET", `${COMPAT}/Accounts/${projectId}/tokens`, {
        headers: NEW_CONNECTION,
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429, 429, 429]);
  });

  test("a token's uses are spent exactly, whichever worker verifies", async () => {
    const created = await create({ uses_remaining: 10 });
    const statuses = await Promise.all(
      Array.from({ length: 20 }, () => verifyOnAnyWorker(created.token)),
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(10);
  });

  test("a token's rate limit holds across the workers: the limit, and at most half of it more", async () => {
    const created = await create({ rate_limit: { limit: 4, window: "1h" } });
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 12; attempt++) {
      statuses.push(await verifyOnAnyWorker(created.token));
    }
    const allowed = statuses.filter((status) => status === 200).length;
    expect(allowed).toBeGreaterThanOrEqual(4);
    expect(allowed).toBeLessThanOrEqual(6);
  });

  /** A client with `token`, which both workers have verified, and so cached, on its reads. */
  const cachedOnBothWorkers = async (token: string) => {
    const asIt = admin.withCredentials(projectId, token);
    for (let warm = 0; warm < 4; warm++) {
      const read = await asIt.request("GET", `${COMPAT}/Accounts/${projectId}/tokens`, {
        headers: NEW_CONNECTION,
      });
      expect(read.status).toBe(200);
    }
    return asIt;
  };

  test("a token deleted through one worker can write through none after the 204", async () => {
    for (let round = 0; round < 20; round++) {
      const created = await create();
      const asIt = await cachedOnBothWorkers(created.token);
      expect((await admin.request("DELETE", `${EXT}/tokens/${created.id}`)).status).toBe(204);
      for (let write = 0; write < 2; write++) {
        const refused = await asIt.request("DELETE", `${EXT}/tokens/${crypto.randomUUID()}`, {
          headers: NEW_CONNECTION,
        });
        expect([401, 429]).toContain(refused.status);
      }
    }
  });

  test("a token deleted through one worker learns through the other no token's existence: an update of any token is 401", async () => {
    const created = await create();
    const asIt = await cachedOnBothWorkers(created.token);
    const other = await create();
    expect((await admin.request("DELETE", `${EXT}/tokens/${created.id}`)).status).toBe(204);
    for (const target of [other.id, crypto.randomUUID(), other.id, crypto.randomUUID()]) {
      const refused = await asIt.request("PATCH", `${EXT}/tokens/${target}`, {
        headers: NEW_CONNECTION,
        json: { name: "renamed" },
      });
      expect([401, 429]).toContain(refused.status);
    }
  });

  test("SIGTERM stops every worker, then the primary, with exit code 0", async () => {
    const workers = childrenOf(server.process.pid ?? 0);
    expect(workers).toHaveLength(2);
    expect(workers.every(isRunning)).toBe(true);
    expect(await server.stop()).toBe(0);
    expect(workers.filter(isRunning)).toEqual([]);
  });
});

test("mock mode refuses more than one worker, saying why", async () => {
  const directory = mkdtempSync(join(tmpdir(), "tokenspace-workers-mock-"));
  try {
    await expect(
      serve({
        env: { DATABASE_URL: `sqlite:${join(directory, "db.sqlite")}` },
        args: ["--workers", "2", "--mock"],
      }),
    ).rejects.toThrow(/one worker/);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
