import { describe, expect, test } from "vitest";
import { runCli } from "./support/cli.js";
import { useTestServer } from "./support/fixtures.js";

const EXT = "/api/tokenspace";

describe("the CLI shows the audit log and expiring tokens", () => {
  const fixture = useTestServer();
  const storeEnv = () => ({
    ...fixture.server.database.env,
    DATABASE_URL: fixture.server.database.url,
  });
  const remoteFlags = () => [
    "--url",
    fixture.server.url,
    "--project",
    fixture.server.projectId,
    "--token",
    fixture.server.token,
  ];

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
    const result = await runCli(["audit", ...remoteFlags(), "--action", "token.deleted"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("token.deleted");
    expect(result.stdout).not.toContain("token.created");
  });

  test("an unknown action is refused with a message naming the valid ones", async () => {
    const result = await runCli(["audit", ...remoteFlags(), "--action", "token.exploded"]);
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
    const result = await runCli(["tokens", "expiring", "--within", "7d", ...remoteFlags()]);
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
    const disabled = await runCli(["tokens", "disable", created.id, ...remoteFlags(), "--json"]);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(JSON.parse(disabled.stdout).enabled).toBe(false);
    const enabled = await runCli(["tokens", "enable", created.id, ...remoteFlags(), "--json"]);
    expect(JSON.parse(enabled.stdout).enabled).toBe(true);
    const at = new Date(Date.now() + 86_400_000).toISOString();
    const expiring = await runCli(["tokens", "expire", created.id, "--at", at, ...remoteFlags()]);
    expect(expiring.code, expiring.stderr).toBe(0);
    expect(expiring.stdout).toContain(`expires: ${at}`);
    const rolled = await runCli([
      "tokens",
      "reroll",
      created.id,
      "--overlap",
      "1h",
      ...remoteFlags(),
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
      ...remoteFlags(),
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("overlap");
  });
});
