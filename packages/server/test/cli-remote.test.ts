import { describe, expect, test } from "vitest";
import { remoteFlags, runCli } from "./support/cli.js";
import { useTestServer } from "./support/fixtures.js";

describe("tokens commands against a running server, through the SDK", () => {
  const fixture = useTestServer();
  const remote = () => remoteFlags(fixture.server);

  test("create, list, update and delete a token", async () => {
    const created = await runCli([
      "tokens",
      "create",
      "--name",
      "ci",
      "--permissions",
      "fax,calling",
      "--json",
      ...remote(),
    ]);
    expect(created.code).toBe(0);
    const token = JSON.parse(created.stdout);
    expect(token).toMatchObject({
      name: "ci",
      permissions: ["calling", "fax"],
      token: expect.stringMatching(/^PT/),
    });

    const listed = await runCli(["tokens", "list", "--json", ...remote()]);
    expect(JSON.parse(listed.stdout)).toContainEqual({
      id: token.id,
      name: "ci",
      permissions: ["calling", "fax"],
    });

    const updated = await runCli([
      "tokens",
      "update",
      token.id,
      "--permissions",
      "video",
      "--json",
      ...remote(),
    ]);
    expect(JSON.parse(updated.stdout)).toEqual({ ...token, permissions: ["video"] });

    const deleted = await runCli(["tokens", "delete", token.id, ...remote()]);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain(`Deleted token ${token.id}`);
    expect((await fixture.http.request("GET", fixture.api.token(token.id))).status).toBe(404);
  });

  test("the connection settings can come from the environment", async () => {
    const listed = await runCli(["tokens", "list"], {
      env: {
        TOKENSPACE_URL: fixture.server.url,
        TOKENSPACE_PROJECT_ID: fixture.server.projectId,
        TOKENSPACE_TOKEN: fixture.server.token,
      },
    });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain("bootstrap");
  });

  test("an API error is printed as the server's message, exit code 1", async () => {
    const result = await runCli([
      "tokens",
      "create",
      "--name",
      "x",
      "--permissions",
      "voice",
      ...remote(),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('"voice" is not a valid permission');
    expect(result.stderr).not.toContain(fixture.server.token);
  });

  test("a wrong token is refused without echoing it", async () => {
    const wrong = `PT${"cd".repeat(24)}`;
    const result = await runCli([
      "tokens",
      "list",
      "--url",
      fixture.server.url,
      "--project",
      fixture.server.projectId,
      "--token",
      wrong,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("401");
    expect(result.stderr).not.toContain(wrong);
  });

  test("list without --url explains that it needs a server", async () => {
    const result = await runCli(["tokens", "list"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--url");
  });
});
