import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, test } from "vitest";
import { serve } from "./support/cli.js";
import { COMPAT } from "./support/compat.js";
import { HttpClient } from "./support/http-client.js";
import { TEST_STORE } from "./support/test-database.js";
import { newSecret } from "./support/test-server.js";

describe.skipIf(TEST_STORE !== "sqlite")("a server killed during writes", () => {
  let directory: string;
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  test("SIGKILL during concurrent creates loses no acknowledged token and leaves an intact database", async () => {
    directory = mkdtempSync(join(tmpdir(), "tokenspace-crash-"));
    const projectId = randomUUID();
    const token = newSecret();
    const database = join(directory, "tokenspace.db");
    const env = {
      DATABASE_URL: `sqlite:${database}`,
      TOKENSPACE_BOOTSTRAP_PROJECT_ID: projectId,
      TOKENSPACE_BOOTSTRAP_TOKEN: token,
    };
    const tokens = `${COMPAT}/Accounts/${projectId}/tokens`;
    const victim = await serve({ env });
    const client = new HttpClient(victim.url, { username: projectId, password: token });
    const acknowledged: { id: string; token: string }[] = [];
    let stop = false;
    const writer = async (worker: number) => {
      for (let index = 0; !stop; index++) {
        const response = await client
          .request("POST", tokens, {
            json: { name: `w${worker}-${index}`, permissions: ["management"] },
          })
          .catch(() => undefined);
        if (response?.status === 200) acknowledged.push(response.body);
        else if (!response) return;
      }
    };
    const writers = Array.from({ length: 16 }, (_, worker) => writer(worker));
    while (acknowledged.length < 300) await new Promise((resolve) => setTimeout(resolve, 5));
    const exited = new Promise((resolve) => victim.process.once("exit", resolve));
    victim.process.kill("SIGKILL");
    stop = true;
    await exited;
    await Promise.all(writers);

    const check = new Database(database);
    expect(check.pragma("integrity_check", { simple: true })).toBe("ok");
    check.close();

    const survivor = await serve({ env });
    try {
      for (const created of acknowledged) {
        const asCreated = new HttpClient(survivor.url, {
          username: projectId,
          password: created.token,
        });
        const response = await asCreated.request("GET", `${tokens}/${created.id}`);
        expect(response.status, created.id).toBe(200);
      }
    } finally {
      await survivor.stop();
    }
  }, 120_000);
});
