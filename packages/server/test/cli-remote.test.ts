import { describe, expect, test, vi } from "vitest";
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

describe("the audit log, a token's lifecycle, limits and usage against a running server", () => {
  const fixture = useTestServer();
  /** `tokenspace ARGS` pointed at the test server. */
  const cli = (...args: string[]) => runCli([...args, ...remoteFlags(fixture.server)]);

  test("tokenspace audit --url --action lists that action's entries through the API", async () => {
    const created = await fixture.api.createToken("seen through the API", ["chat"]);
    await fixture.api.http.request("DELETE", fixture.api.token(created.id));
    const result = await cli("audit", "--action", "token.deleted");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("token.deleted");
    expect(result.stdout).toContain(created.id);
    expect(result.stdout).not.toContain("token.created");
  });

  test("an unknown action is refused with a message naming the valid ones", async () => {
    const result = await cli("audit", "--action", "token.exploded");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("token.deleted");
  });

  test("tokens disable, enable, expire and reroll change the lifecycle through the API", async () => {
    const created = await fixture.api.createToken("cli lifecycle", ["chat"]);
    const disabled = await cli("tokens", "disable", created.id, "--json");
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(JSON.parse(disabled.stdout).enabled).toBe(false);
    const enabled = await cli("tokens", "enable", created.id, "--json");
    expect(JSON.parse(enabled.stdout).enabled).toBe(true);
    const at = new Date(Date.now() + 86_400_000).toISOString();
    const expiring = await cli("tokens", "expire", created.id, "--at", at);
    expect(expiring.code, expiring.stderr).toBe(0);
    expect(expiring.stdout).toContain(`expires: ${at}`);
    const rolled = await cli("tokens", "reroll", created.id, "--overlap", "1h");
    expect(rolled.code, rolled.stderr).toBe(0);
    expect(rolled.stdout).toMatch(/New secret .*: PT[0-9a-f]{48}/);
    expect(rolled.stdout).toContain("previous secret works until");
    const refused = await cli("tokens", "reroll", created.id, "--overlap", "8d");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("overlap");
  });

  test("tokens limit sets a rate, uses and a refill, and none/unlimited remove them", async () => {
    const created = await fixture.api.createToken("cli limits", ["chat"]);
    const limited = await cli(
      "tokens",
      "limit",
      created.id,
      "--rate",
      "100/1m",
      "--uses",
      "500",
      "--refill",
      "500/30d",
    );
    expect(limited.code, limited.stderr).toBe(0);
    expect(limited.stdout).toContain("rate limit: 100 per 1m");
    expect(limited.stdout).toContain("uses left: 500, back to 500 every 30d");
    const removed = await cli(
      "tokens",
      "limit",
      created.id,
      "--rate",
      "none",
      "--uses",
      "unlimited",
      "--json",
    );
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({
      rate_limit: null,
      uses_remaining: null,
      uses_refill: null,
    });
  });

  test("a limit the server refuses is reported with the attribute it names", async () => {
    const created = await fixture.api.createToken("cli bad limits", ["chat"]);
    const refused = await cli("tokens", "limit", created.id, "--rate", "0/1m");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("rate_limit");
    const malformed = await cli("tokens", "limit", created.id, "--rate", "lots");
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain("COUNT/DURATION");
  });

  test("tokens usage and usage print what verifications were counted", async () => {
    const created = await fixture.api.createToken("cli usage", ["chat"]);
    const verify = () =>
      fixture.http
        .withCredentials(fixture.server.projectId, created.token)
        .request("GET", "/auth/verify");
    expect((await verify()).status).toBe(200);
    expect((await verify()).status).toBe(200);
    await vi.waitFor(
      async () => {
        const usage = await cli(
          "tokens",
          "usage",
          created.id,
          "--since",
          "1h",
          "--granularity",
          "minute",
        );
        expect(usage.code, usage.stderr).toBe(0);
        expect(usage.stdout).toContain("2 allowed, 0 refused");
      },
      { timeout: 5000, interval: 250 },
    );
    const totals = await cli("usage", "--since", "1h", "--json");
    expect(totals.code, totals.stderr).toBe(0);
    expect(JSON.parse(totals.stdout).allowed).toBeGreaterThanOrEqual(2);
  });
});
