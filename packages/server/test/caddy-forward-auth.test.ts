import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { freePort } from "../../../bench/processes.js";
import { type ApiResponse, HttpClient } from "./support/http-client.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

const CADDY = inject("caddy") ?? "";
const CADDYFILE = fileURLToPath(new URL("../../../examples/caddy/Caddyfile", import.meta.url));
const RULES = fileURLToPath(new URL("../../../examples/verify-rules.conf", import.meta.url));

/** Debian's Caddy with the shipped Caddyfile, in front of a small upstream, asking Tokenspace. */
describe.skipIf(CADDY === "")(
  "Caddy forward_auth in front of an upstream, through Tokenspace",
  () => {
    let tokenspace: TestServer;
    let upstream: Server;
    let caddy: ChildProcess;
    let home: string;
    let front: string;

    beforeAll(async () => {
      tokenspace = await startTestServer({ env: { TOKENSPACE_VERIFY_RULES: RULES } });
      upstream = createServer((request, response) => {
        const seen = Object.fromEntries(
          Object.entries(request.headers).filter(([name]) => name.startsWith("x-tokenspace-")),
        );
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ path: request.url, seen }));
      });
      await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
      const upstreamPort = (upstream.address() as { port: number }).port;
      const [port, adminPort] = [await freePort(), await freePort()];
      home = mkdtempSync(join(tmpdir(), "tokenspace-caddy-"));
      caddy = spawn(CADDY, ["run", "--config", CADDYFILE, "--adapter", "caddyfile"], {
        stdio: ["ignore", "ignore", "pipe"],
        env: {
          PATH: process.env.PATH,
          HOME: home,
          XDG_DATA_HOME: join(home, "data"),
          XDG_CONFIG_HOME: join(home, "config"),
          CADDY_ADMIN: `127.0.0.1:${adminPort}`,
          LISTEN_ADDRESS: `http://127.0.0.1:${port}`,
          TOKENSPACE_ORIGIN: tokenspace.url,
          UPSTREAM_ORIGIN: `http://127.0.0.1:${upstreamPort}`,
        },
      });
      let stderr = "";
      caddy.stderr?.on("data", (chunk) => {
        stderr += chunk;
      });
      front = `http://127.0.0.1:${port}`;
      for (let attempt = 0; ; attempt++) {
        try {
          await fetch(front);
          break;
        } catch {
          if (attempt > 200 || caddy.exitCode !== null) {
            throw new Error(`Caddy did not start: ${stderr}`);
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    }, 30_000);
    afterAll(async () => {
      caddy?.kill("SIGTERM");
      await new Promise((resolve) => upstream?.close(resolve));
      await tokenspace?.close();
      rmSync(home, { recursive: true, force: true });
    });

    const through = (
      token: string,
      method: string,
      path: string,
      headers = {},
    ): Promise<ApiResponse> =>
      new HttpClient(front, { username: tokenspace.projectId, password: token }).request(
        method,
        path,
        { headers },
      );
    const created = (permissions: string[], limits: Record<string, unknown> = {}) =>
      new HttpClient(tokenspace.url, { username: tokenspace.projectId, password: tokenspace.token })
        .request("POST", "/api/tokenspace/tokens", {
          json: { name: "through caddy", permissions, ...limits },
        })
        .then((response) => response.body as { id: string; token: string });

    test("a valid token reaches the upstream with the X-Tokenspace-* headers, not the client's", async () => {
      const caller = await created(["calling"]);
      const response = await through(caller.token, "GET", "/calls/123", {
        "x-tokenspace-token-id": "forged",
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        path: "/calls/123",
        seen: {
          "x-tokenspace-project-id": tokenspace.projectId,
          "x-tokenspace-token-id": caller.id,
          "x-tokenspace-permissions": "calling",
        },
      });
    });

    test("a wrong token gets 401 with the challenge and reason unauthenticated", async () => {
      const response = await through(`PT${"0".repeat(48)}`, "GET", "/calls/123");
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Basic realm="Tokenspace"');
      expect(response.headers.get("x-tokenspace-reason")).toBe("unauthenticated");
    });

    test("the rules file applies to the method and path Caddy forwards", async () => {
      const caller = await created(["chat"]);
      expect((await through(caller.token, "GET", "/chat/rooms")).status).toBe(200);
      const refused = await through(caller.token, "POST", "/messages");
      expect(refused.status).toBe(403);
      expect(refused.headers.get("x-tokenspace-reason")).toBe("forbidden");
    });

    test("a token over its rate limit gets Tokenspace's 429 with Retry-After", async () => {
      const caller = await created(["calling"], { rate_limit: { limit: 1, window: "1h" } });
      expect((await through(caller.token, "GET", "/calls")).status).toBe(200);
      const limited = await through(caller.token, "GET", "/calls");
      expect(limited.status).toBe(429);
      expect(limited.headers.get("x-tokenspace-reason")).toBe("rate_limited");
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(limited.body.error).toContain("rate limit");
    });

    test("a token out of uses gets 429 usage_exceeded", async () => {
      const caller = await created(["calling"], { uses_remaining: 1 });
      expect((await through(caller.token, "GET", "/calls")).status).toBe(200);
      const spent = await through(caller.token, "GET", "/calls");
      expect(spent.status).toBe(429);
      expect(spent.headers.get("x-tokenspace-reason")).toBe("usage_exceeded");
    });
  },
);
