import { describe, expect, test } from "vitest";
import { remoteFlags, runCli } from "./support/cli.js";
import { useTestServer } from "./support/fixtures.js";

const EXT = "/api/tokenspace";

describe("the CLI reads the audit log and expiring tokens from the store", () => {
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
});
