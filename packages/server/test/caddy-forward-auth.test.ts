import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { freePort } from "../../../bench/processes.js";
import { HttpClient } from "./support/http-client.js";
import {
  proxiedForwardAuthTests,
  startEchoUpstream,
  startProxy,
  throughProxy,
  tokenCreator,
} from "./support/proxied-upstream.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

const CADDY = inject("caddy") ?? "";
const CADDYFILE = fileURLToPath(new URL("../../../examples/caddy/Caddyfile", import.meta.url));
const RULES = fileURLToPath(new URL("../../../examples/verify-rules.conf", import.meta.url));

/** Debian's Caddy with the shipped Caddyfile, in front of a small upstream, asking Tokenspace. */
describe.skipIf(CADDY === "")(
  "Caddy forward_auth in front of an upstream, through Tokenspace",
  () => {
    let tokenspace: TestServer;
    let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
    let caddy: ChildProcess;
    let home: string;
    let front: string;

    beforeAll(async () => {
      tokenspace = await startTestServer({ env: { TOKENSPACE_VERIFY_RULES: RULES } });
      upstream = await startEchoUpstream();
      const [port, adminPort] = [await freePort(), await freePort()];
      home = mkdtempSync(join(tmpdir(), "tokenspace-caddy-"));
      front = `http://127.0.0.1:${port}`;
      caddy = await startProxy(
        "Caddy",
        CADDY,
        ["run", "--config", CADDYFILE, "--adapter", "caddyfile"],
        front,
        {
          PATH: process.env.PATH,
          HOME: home,
          XDG_DATA_HOME: join(home, "data"),
          XDG_CONFIG_HOME: join(home, "config"),
          CADDY_ADMIN: `127.0.0.1:${adminPort}`,
          LISTEN_ADDRESS: front,
          TOKENSPACE_ORIGIN: tokenspace.url,
          UPSTREAM_ORIGIN: upstream.url,
        },
      );
    }, 30_000);
    afterAll(async () => {
      caddy?.kill("SIGTERM");
      await upstream?.close();
      await tokenspace?.close();
      rmSync(home, { recursive: true, force: true });
    });

    const through = throughProxy(
      () => front,
      () => tokenspace,
    );
    const create = tokenCreator(() => tokenspace, "through caddy");

    proxiedForwardAuthTests(() => tokenspace, through, create);

    test("what the client sends in the X-Tokenspace-* headers never reaches the upstream", async () => {
      const caller = await create(["calling"]);
      const response = await new HttpClient(front, {
        username: tokenspace.projectId,
        password: caller.token,
      }).request("GET", "/calls/1", { headers: { "x-tokenspace-token-id": "forged" } });
      expect(response.body.seen["x-tokenspace-token-id"]).toBe(caller.id);
    });
  },
);
