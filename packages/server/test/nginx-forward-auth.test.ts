import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { freePort } from "../../../bench/processes.js";
import { COMPAT } from "./support/compat.js";
import { HttpClient } from "./support/http-client.js";
import {
  proxiedForwardAuthTests,
  startEchoUpstream,
  startProxy,
  throughProxy,
  tokenCreator,
} from "./support/proxied-upstream.js";
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
    let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
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
      upstream = await startEchoUpstream();
      const port = await freePort();
      prefix = mkdtempSync(join(tmpdir(), "tokenspace-nginx-"));
      mkdirSync(join(prefix, "temp"));
      const serverBlock = envsubst(readFileSync(TEMPLATE, "utf8"), {
        LISTEN_ADDRESS: `127.0.0.1:${port}`,
        TOKENSPACE_ORIGIN: verifier.url,
        UPSTREAM_ORIGIN: upstream.url,
      });
      writeFileSync(join(prefix, "tokenspace.conf"), serverBlock);
      writeFileSync(join(prefix, "nginx.conf"), mainConfig(join(prefix, "tokenspace.conf")));
      front = `http://127.0.0.1:${port}`;
      nginx = await startProxy(
        "nginx",
        NGINX,
        ["-p", prefix, "-c", join(prefix, "nginx.conf"), "-g", "daemon off;"],
        front,
      );
    }, 30_000);
    afterAll(async () => {
      nginx?.kill("SIGTERM");
      await upstream?.close();
      if (verifier !== tokenspace) await verifier?.close();
      await tokenspace?.close();
      rmSync(prefix, { recursive: true, force: true });
    });

    const through = throughProxy(
      () => front,
      () => tokenspace,
    );

    const created = tokenCreator(() => tokenspace, "through nginx");

    proxiedForwardAuthTests(() => tokenspace, through, created);

    test("nginx turns Tokenspace's over-limit 403 back into 429, and passes the RateLimit fields on", async () => {
      const caller = await created(["calling"], { rate_limit: { limit: 2, window: "1h" } });
      const allowed = await through(caller.token, "GET", "/calls/1");
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get("ratelimit-policy")).toBe('"token";q=2;w=3600');
      expect(allowed.headers.get("ratelimit")).toMatch(/^"token";r=1;t=\d+$/);
      expect((await through(caller.token, "GET", "/calls/1")).status).toBe(200);
      const limited = await through(caller.token, "GET", "/calls/1");
      expect(limited.status).toBe(429);
      expect(limited.headers.get("ratelimit")).toMatch(/^"token";r=0;t=\d+$/);
    });

    test("a token with uses shows how many are left", async () => {
      const caller = await created(["calling"], { uses_remaining: 5 });
      const allowed = await through(caller.token, "GET", "/calls/1");
      expect(allowed.headers.get("x-tokenspace-uses-remaining")).toBe("4");
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
