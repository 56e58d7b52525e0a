import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { runCli, serve } from "./support/cli.js";
import { COMPAT } from "./support/compat.js";
import { HttpClient } from "./support/http-client.js";
import { createTestDatabase, TEST_STORE } from "./support/test-database.js";
import { newSecret } from "./support/test-server.js";

describe("first start, bootstrap settings and the operator CLI", () => {
  let directory: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), "tokenspace-cli-"));
    const database = await createTestDatabase(directory);
    env = { ...database.env, DATABASE_URL: database.url, LOG_LEVEL: "info" };
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const tokensOf = (url: string, projectId: string, token: string) =>
    new HttpClient(url, { username: projectId, password: token }).request(
      "GET",
      `${COMPAT}/Accounts/${projectId}/tokens`,
    );

  test("the first start on an empty store prints a project id and a working token, once", async () => {
    const first = await serve({ env });
    const banner = first.stderr();
    const projectId = /Project ID\s+(\S+)/.exec(banner)?.[1] ?? "";
    const token = /API token\s+(PT[0-9a-f]{48})/.exec(banner)?.[1] ?? "";
    expect(projectId).toMatch(/^[0-9a-f-]{36}$/);
    const listed = await tokensOf(first.url, projectId, token);
    expect(listed.status).toBe(200);
    expect(listed.body.tokens).toEqual([
      {
        id: expect.any(String),
        name: "bootstrap",
        permissions: [
          "calling",
          "chat",
          "datasphere",
          "fax",
          "management",
          "messaging",
          "numbers",
          "pubsub",
          "storage",
          "tasking",
          "video",
        ],
      },
    ]);
    expect(first.stdout()).not.toContain(token);
    expect(await first.stop()).toBe(0);

    const second = await serve({ env });
    expect(second.stderr()).not.toContain(token);
    expect(second.stderr()).not.toContain("API token");
    expect((await tokensOf(second.url, projectId, token)).status).toBe(200);
    await second.stop();
  });

  test.skipIf(TEST_STORE !== "sqlite")(
    "a generated server key file is created beside the SQLite database with mode 0600",
    async () => {
      const server = await serve({ env });
      await server.stop();
      expect(statSync(join(directory, "tokenspace.key")).mode & 0o777).toBe(0o600);
    },
  );

  test("TOKENSPACE_BOOTSTRAP_* fix the project and token, and are left alone once they exist", async () => {
    const projectId = randomUUID();
    const token = newSecret();
    const bootEnv = {
      ...env,
      TOKENSPACE_BOOTSTRAP_PROJECT_ID: projectId,
      TOKENSPACE_BOOTSTRAP_TOKEN: token,
    };
    const first = await serve({ env: bootEnv });
    expect(first.stderr()).not.toContain(token);
    const client = new HttpClient(first.url, { username: projectId, password: token });
    const tokens = `${COMPAT}/Accounts/${projectId}/tokens`;
    const [bootstrap] = (await client.request("GET", tokens)).body.tokens;
    await client.request("PATCH", `${tokens}/${bootstrap.id}`, { json: { name: "renamed" } });
    await first.stop();

    const second = await serve({ env: bootEnv });
    const listed = await new HttpClient(second.url, {
      username: projectId,
      password: token,
    }).request("GET", tokens);
    expect(listed.body.tokens).toEqual([{ ...bootstrap, name: "renamed" }]);
    await second.stop();
  });

  test("a malformed TOKENSPACE_BOOTSTRAP_TOKEN stops the start with a clear message", async () => {
    const result = await runCli(["serve", "--port", "0"], {
      env: {
        ...env,
        TOKENSPACE_BOOTSTRAP_PROJECT_ID: randomUUID(),
        TOKENSPACE_BOOTSTRAP_TOKEN: "secret",
      },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "TOKENSPACE_BOOTSTRAP_TOKEN must be PT followed by 48 lowercase hexadecimal characters",
    );
    expect(result.stderr).not.toContain("    at ");
  });

  test("a server key that does not match the database refuses to start", async () => {
    const first = await serve({ env: { ...env, TOKENSPACE_SECRET_KEY: "a".repeat(64) } });
    await first.stop();
    const result = await runCli(["serve", "--port", "0"], {
      env: { ...env, TOKENSPACE_SECRET_KEY: "b".repeat(64) },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("different server key");
  });

  test("projects create and tokens create work on the store, and the token serves requests", async () => {
    const project = await runCli(["projects", "create", "Acme", "Corp", "--json"], { env });
    expect(project.code).toBe(0);
    const { id: projectId, friendly_name } = JSON.parse(project.stdout);
    expect(friendly_name).toBe("Acme Corp");

    const created = await runCli(
      [
        "tokens",
        "create",
        "--project",
        projectId,
        "--name",
        "ops",
        "--permissions",
        "management,fax",
        "--json",
      ],
      { env },
    );
    expect(created.code).toBe(0);
    const token = JSON.parse(created.stdout);
    expect(token).toMatchObject({ name: "ops", permissions: ["fax", "management"] });

    const listedProjects = await runCli(["projects", "list", "--json"], { env });
    expect(JSON.parse(listedProjects.stdout)).toContainEqual({
      id: projectId,
      friendly_name: "Acme Corp",
      parent_id: null,
    });

    const server = await serve({ env });
    expect(server.stderr()).not.toContain("API token");
    expect((await tokensOf(server.url, projectId, token.token)).status).toBe(200);
    await server.stop();
  });

  test("subprojects create makes a subproject that projects list shows under its parent", async () => {
    const { id: parentId } = JSON.parse(
      (await runCli(["projects", "create", "Parent", "--json"], { env })).stdout,
    );
    const child = await runCli(["subprojects", "create", "--parent", parentId, "Child", "--json"], {
      env,
    });
    expect(child.code).toBe(0);
    const created = JSON.parse(child.stdout);
    expect(created).toEqual({
      id: expect.any(String),
      friendly_name: "Child",
      parent_id: parentId,
      signing_key: expect.stringMatching(/^PSK_[0-9a-f]{48}$/),
    });

    const listed = await runCli(["projects", "list"], { env });
    expect(listed.stdout).toContain(`${created.id}  Child  (subproject of ${parentId})`);

    const grandchild = await runCli(
      ["subprojects", "create", "--parent", created.id, "Grandchild"],
      { env },
    );
    expect(grandchild.code).toBe(1);
    expect(grandchild.stderr).toContain("subprojects cannot have subprojects");
  });

  test("tokens create with an unknown permission fails and names it", async () => {
    const { id } = JSON.parse(
      (await runCli(["projects", "create", "P", "--json"], { env })).stdout,
    );
    const result = await runCli(
      ["tokens", "create", "--project", id, "--name", "x", "--permissions", "voice"],
      { env },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('"voice" is not a valid permission');
    expect(result.stderr).toContain('Did you mean "calling"?');
  });

  test("tokens create for an unknown project fails with a clear message", async () => {
    const result = await runCli(
      ["tokens", "create", "--project", randomUUID(), "--name", "x", "--permissions", "fax"],
      { env },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/No project .* exists/);
  });

  test("SIGTERM lets the request in flight finish, then exits 0", async () => {
    const projectId = randomUUID();
    const token = newSecret();
    const server = await serve({
      env: {
        ...env,
        TOKENSPACE_BOOTSTRAP_PROJECT_ID: projectId,
        TOKENSPACE_BOOTSTRAP_TOKEN: token,
      },
    });
    const authorization = `Basic ${Buffer.from(`${projectId}:${token}`).toString("base64")}`;
    const body = JSON.stringify({ name: "in flight", permissions: ["fax"] });
    const { port } = new URL(server.url);
    const send = (
      method: string,
      path: string,
      payload?: string,
      beforeEnd?: () => Promise<void>,
    ) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const outgoing = request(
          {
            host: "127.0.0.1",
            port,
            method,
            path,
            headers: {
              authorization,
              ...(payload !== undefined && {
                "content-type": "application/json",
                "content-length": Buffer.byteLength(payload),
              }),
            },
          },
          (response) => {
            let text = "";
            response.on("data", (chunk) => {
              text += chunk;
            });
            response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
          },
        );
        outgoing.on("error", reject);
        if (payload === undefined) return outgoing.end();
        const half = Math.floor(payload.length / 2);
        outgoing.write(payload.slice(0, half));
        void (beforeEnd ?? (async () => {}))().then(() => outgoing.end(payload.slice(half)));
      });
    const tokens = `${COMPAT}/Accounts/${projectId}/tokens`;
    expect((await send("GET", tokens)).status).toBe(200);
    const exited = new Promise((resolve) => server.process.once("exit", resolve));
    // Half the body sent and its headers read by the server: the request is in flight.
    const inFlight = send("POST", tokens, body, async () => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      server.process.kill("SIGTERM");
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    const answered = await inFlight;
    expect(answered.status).toBe(200);
    expect(JSON.parse(answered.text)).toMatchObject({ name: "in flight" });
    expect(await exited).toBe(0);
  });

  test("SIGTERM sent the moment the server says it is listening still closes it and exits 0", async () => {
    // The signal races the start's last steps; a few starts give the race its chances.
    for (let start = 0; start < 3; start++) {
      const server = await serve({ env });
      expect(await server.stop()).toBe(0);
    }
  });

  test("an unknown command prints the usage and exits 2", async () => {
    const result = await runCli(["frobnicate"], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Usage: tokenspace");
  });

  test("an unreachable PostgreSQL stops the command with a clear message and no password", async () => {
    const result = await runCli(["projects", "list"], {
      env: {
        DATABASE_URL: "postgres://user:pw@127.0.0.1:1/db",
        TOKENSPACE_SECRET_KEY: "a".repeat(64),
      },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "Cannot use the PostgreSQL database postgres://user:***@127.0.0.1:1/db",
    );
    expect(result.stderr).not.toContain(":pw@");
    expect(result.stderr).not.toContain("    at ");
  });
});
