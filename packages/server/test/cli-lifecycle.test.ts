import { describe, expect, test, vi } from "vitest";
import { remoteFlags, runCli } from "./support/cli.js";
import { useTestServer } from "./support/fixtures.js";

const EXT = "/api/tokenspace";

describe("the CLI shows the audit log and expiring tokens", () => {
  const fixture = useTestServer();
  const storeEnv = () => ({
    ...fixture.server.database.env,
    DATABASE_URL: fixture.server.database.url,
  });

  test("tokenspace audit --project ID --since 24h --json lists the project's entries from the store", async () => {
    const created = await fixture.api.createToken("seen by the CLI", ["chat"]);
    await fixture.api.http.request("DELETE", fixture.api.token(created.id));

    const result = await runCli(
      ["audit", "--project", fixture.server.projectId, "--since", "24h", "--json"],
      { env: storeEnv() },
    );
    expect(result.code, result.stderr).toBe(0);
    const entries = JSON.parse(result.stdout) as { action: string; target: { id: string } }[];
    expect(
      entries.filter((entry) => entry.target.id === created.id).map((entry) => entry.action),
    ).toEqual(["token.created", "token.deleted"]);
  });

  test("tokenspace audit with --url reads the same log through the API", async () => {
    const result = await runCli([
      "audit",
      ...remoteFlags(fixture.server),
      "--action",
      "token.deleted",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("token.deleted");
    expect(result.stdout).not.toContain("token.created");
  });

  test("an unknown action is refused with a message naming the valid ones", async () => {
    const result = await runCli([
      "audit",
      ...remoteFlags(fixture.server),
      "--action",
      "token.exploded",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("token.deleted");
  });

  test("tokenspace tokens expiring lists the tokens expiring within the window", async () => {
    const soon = await fixture.http.request("POST", `${EXT}/tokens`, {
      json: {
        name: "expires soon",
        permissions: ["chat"],
        expires_at: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      },
    });
    const result = await runCli([
      "tokens",
      "expiring",
      "--within",
      "7d",
      ...remoteFlags(fixture.server),
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(soon.body.id);
    const none = await runCli(
      ["tokens", "expiring", "--within", "1d", "--project", fixture.server.projectId, "--json"],
      { env: storeEnv() },
    );
    expect(none.code, none.stderr).toBe(0);
    expect(JSON.parse(none.stdout)).toEqual([]);
  });

  test("tokens disable, enable, expire and reroll change the lifecycle through the API", async () => {
    const created = await fixture.api.createToken("cli lifecycle", ["chat"]);
    const disabled = await runCli([
      "tokens",
      "disable",
      created.id,
      ...remoteFlags(fixture.server),
      "--json",
    ]);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(JSON.parse(disabled.stdout).enabled).toBe(false);
    const enabled = await runCli([
      "tokens",
      "enable",
      created.id,
      ...remoteFlags(fixture.server),
      "--json",
    ]);
    expect(JSON.parse(enabled.stdout).enabled).toBe(true);
    const at = new Date(Date.now() + 86_400_000).toISOString();
    const expiring = await runCli([
      "tokens",
      "expire",
      created.id,
      "--at",
      at,
      ...remoteFlags(fixture.server),
    ]);
    expect(expiring.code, expiring.stderr).toBe(0);
    expect(expiring.stdout).toContain(`expires: ${at}`);
    const rolled = await runCli([
      "tokens",
      "reroll",
      created.id,
      "--overlap",
      "1h",
      ...remoteFlags(fixture.server),
    ]);
    expect(rolled.code, rolled.stderr).toBe(0);
    expect(rolled.stdout).toMatch(/New secret .*: PT[0-9a-f]{48}/);
    expect(rolled.stdout).toContain("previous secret works until");
    const refused = await runCli([
      "tokens",
      "reroll",
      created.id,
      "--overlap",
      "8d",
      ...remoteFlags(fixture.server),
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("overlap");
  });
});

describe("the CLI sets a token's limits and reads its usage", () => {
  const fixture = useTestServer();
  /** `tokenspace ARGS` pointed at the test server. */
  const cli = (...args: string[]) => runCli([...args, ...remoteFlags(fixture.server)]);

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
