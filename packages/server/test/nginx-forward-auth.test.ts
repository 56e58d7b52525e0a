import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { freePort } from "../../../bench/processes.js";
import { COMPAT } from "./support/compat.js";
import { type ApiResponse, HttpClient } from "./support/http-client.js";
import { TEST_STORE } from "./support/test-database.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

const NGINX = inject("nginx") ?? "";
/** The server block compose.yaml hands to the nginx image, which fills in ${…} from its env. */
const TEMPLATE = fileURLToPath(
  new URL(
    "../../../examples/nginx/templates/tokenspace-forward-auth.conf.template",
    import.meta.url,
  ),
);
const RULES = fileURLToPath(new URL("../../../examples/verify-rules.conf", import.meta.url));
const available = NGINX !== "";

/** What the nginx image does to a template: the named variables filled in, nginx's own left. */
const envsubst = (template: string, values: Record<string, string>) =>
  template.replace(/\$\{([A-Z_]+)\}/g, (placeholder, name: string) => values[name] ?? placeholder);

/** What nginx's own main config holds around conf.d, with paths an unprivileged run can write. */
const mainConfig = (include: string) => `
worker_processes 1;
error_log stderr warn;
pid nginx.pid;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path temp/body;
  proxy_temp_path temp/proxy;
  fastcgi_temp_path temp/fastcgi;
  uwsgi_temp_path temp/uwsgi;
  scgi_temp_path temp/scgi;
  include ${include};
}
`;

/** nginx with the shipped server block, in front of a small upstream, asking Tokenspace. */
describe.skipIf(!available)(
  "nginx auth_request in front of an upstream, through Tokenspace",
  () => {
    let tokenspace: TestServer;
    /** The node nginx asks: on PostgreSQL a second node, so revocation must cross nodes. */
    let verifier: TestServer;
    let upstream: Server;
    let nginx: ChildProcess;
    let prefix: string;
    let front: string;

    beforeAll(async () => {
      tokenspace = await startTestServer({ env: { TOKENSPACE_VERIFY_RULES: RULES } });
      verifier =
        TEST_STORE === "postgres"
          ? await startTestServer({
              env: { TOKENSPACE_VERIFY_RULES: RULES },
              database: tokenspace.database,
              credentials: { projectId: tokenspace.projectId, token: tokenspace.token },
            })
          : tokenspace;
      upstream = createServer((request, response) => {
        const seen = Object.fromEntries(
          Object.entries(request.headers).filter(([name]) => name.startsWith("x-tokenspace-")),
        );
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ path: request.url, seen }));
      });
      await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
      const upstreamPort = (upstream.address() as { port: number }).port;
      const port = await freePort();
      prefix = mkdtempSync(join(tmpdir(), "tokenspace-nginx-"));
      mkdirSync(join(prefix, "temp"));
      const serverBlock = envsubst(readFileSync(TEMPLATE, "utf8"), {
        LISTEN_ADDRESS: `127.0.0.1:${port}`,
        TOKENSPACE_ORIGIN: verifier.url,
        UPSTREAM_ORIGIN: `http://127.0.0.1:${upstreamPort}`,
      });
      writeFileSync(join(prefix, "tokenspace.conf"), serverBlock);
      writeFileSync(join(prefix, "nginx.conf"), mainConfig(join(prefix, "tokenspace.conf")));
      nginx = spawn(
        NGINX ?? "nginx",
        ["-p", prefix, "-c", join(prefix, "nginx.conf"), "-g", "daemon off;"],
        {
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      let stderr = "";
      nginx.stderr?.on("data", (chunk) => {
        stderr += chunk;
      });
      front = `http://127.0.0.1:${port}`;
      for (let attempt = 0; ; attempt++) {
        try {
          await fetch(front);
          break;
        } catch {
          if (attempt > 100 || nginx.exitCode !== null) {
            throw new Error(`nginx did not start: ${stderr}`);
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    }, 30_000);
    afterAll(async () => {
      nginx?.kill("SIGTERM");
      await new Promise((resolve) => upstream?.close(resolve));
      if (verifier !== tokenspace) await verifier?.close();
      await tokenspace?.close();
      rmSync(prefix, { recursive: true, force: true });
    });

    const through = (token: string, method: string, path: string): Promise<ApiResponse> =>
      new HttpClient(front, { username: tokenspace.projectId, password: token }).request(
        method,
        path,
      );

    const created = (permissions: string[], limits: Record<string, unknown> = {}) =>
      new HttpClient(tokenspace.url, {
        username: tokenspace.projectId,
        password: tokenspace.token,
      })
        .request("POST", "/api/tokenspace/tokens", {
          json: { name: "through nginx", permissions, ...limits },
        })
        .then((response) => response.body as { id: string; token: string });

    test("a valid token reaches the upstream with the X-Tokenspace-* headers", async () => {
      const caller = await created(["calling"]);
      const response = await through(caller.token, "GET", "/calls/123");
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

    test("a wrong token gets 401 with the Basic challenge, and never reaches the upstream", async () => {
      const response = await through(`PT${"0".repeat(48)}`, "GET", "/calls/123");
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Basic realm="Tokenspace"');
    });

    test("a token lacking the permission the path needs gets 403 with reason forbidden", async () => {
      const caller = await created(["chat"]);
      expect((await through(caller.token, "GET", "/chat/rooms")).status).toBe(200);
      const refused = await through(caller.token, "POST", "/messages");
      expect(refused.status).toBe(403);
      expect(refused.headers.get("x-tokenspace-reason")).toBe("forbidden");
    });

    test("a wrong token's 401 says unauthenticated", async () => {
      const response = await through(`PT${"3".repeat(48)}`, "GET", "/calls/1");
      expect(response.headers.get("x-tokenspace-reason")).toBe("unauthenticated");
    });

    test("a token over its rate limit gets 429 with Retry-After and the RateLimit fields", async () => {
      const caller = await created(["calling"], { rate_limit: { limit: 2, window: "1h" } });
      const allowed = await through(caller.token, "GET", "/calls/1");
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get("ratelimit-policy")).toBe('"token";q=2;w=3600');
      expect(allowed.headers.get("ratelimit")).toMatch(/^"token";r=1;t=\d+$/);
      expect((await through(caller.token, "GET", "/calls/1")).status).toBe(200);
      const limited = await through(caller.token, "GET", "/calls/1");
      expect(limited.status).toBe(429);
      expect(limited.headers.get("x-tokenspace-reason")).toBe("rate_limited");
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(limited.headers.get("ratelimit")).toMatch(/^"token";r=0;t=\d+$/);
      expect(limited.body.error).toContain("rate limit");
    });

    test("a token out of uses gets 429 usage_exceeded", async () => {
      const caller = await created(["calling"], { uses_remaining: 1 });
      const allowed = await through(caller.token, "GET", "/calls/1");
      expect(allowed.headers.get("x-tokenspace-uses-remaining")).toBe("0");
      const spent = await through(caller.token, "GET", "/calls/1");
      expect(spent.status).toBe(429);
      expect(spent.headers.get("x-tokenspace-reason")).toBe("usage_exceeded");
    });

    test("a token deleted through the API is refused (within 1 s through a second node)", async () => {
      const caller = await created(["calling"]);
      expect((await through(caller.token, "GET", "/calls")).status).toBe(200);
      await new HttpClient(tokenspace.url, {
        username: tokenspace.projectId,
        password: tokenspace.token,
      }).request("DELETE", `${COMPAT}/Accounts/${tokenspace.projectId}/tokens/${caller.id}`);
      const deleted = performance.now();
      let status = (await through(caller.token, "GET", "/calls")).status;
      while (status !== 401 && performance.now() - deleted < 1000) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        status = (await through(caller.token, "GET", "/calls")).status;
      }
      expect(status).toBe(401);
    });
  },
);
