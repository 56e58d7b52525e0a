import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:http";
import { expect, test } from "vitest";
import { type ApiResponse, HttpClient } from "./http-client.js";
import type { TestServer } from "./test-server.js";

/**
 * The API a proxy guards in the forward-auth tests: it answers with the path it was asked for
 * and the X-Tokenspace-* headers that reached it.
 */
export async function startEchoUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = createServer((request, response) => {
    const seen = Object.fromEntries(
      Object.entries(request.headers).filter(([name]) => name.startsWith("x-tokenspace-")),
    );
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ path: request.url, seen }));
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const { port } = upstream.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => upstream.close(() => resolve())),
  };
}

/** A request to the proxy in front, with a token of the test server's project. */
export type Through = (token: string, method: string, path: string) => Promise<ApiResponse>;

/** Requests through the proxy at `front`, as the test server's project. */
export function throughProxy(front: () => string, server: () => TestServer): Through {
  return (token, method, path) =>
    new HttpClient(front(), { username: server().projectId, password: token }).request(
      method,
      path,
    );
}

/** Creates a token (with limits, if given) on the server's extension surface. */
export function tokenCreator(server: () => TestServer, name: string) {
  return (permissions: string[], limits: Record<string, unknown> = {}) => {
    const { url, projectId, token } = server();
    return new HttpClient(url, { username: projectId, password: token })
      .request("POST", "/api/tokenspace/tokens", { json: { name, permissions, ...limits } })
      .then((response) => response.body as { id: string; token: string });
  };
}

/**
 * What every proxy in front of Tokenspace must get right, each as its own test: the upstream
 * learns who called, and each refusal reaches the client with its status and reason.
 */
export function proxiedForwardAuthTests(
  server: () => TestServer,
  through: Through,
  create: ReturnType<typeof tokenCreator>,
): void {
  test("a valid token reaches the upstream with the X-Tokenspace-* headers", async () => {
    const caller = await create(["calling"]);
    const response = await through(caller.token, "GET", "/calls/123");
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      path: "/calls/123",
      seen: {
        "x-tokenspace-project-id": server().projectId,
        "x-tokenspace-token-id": caller.id,
        "x-tokenspace-permissions": "calling",
      },
    });
  });

  test("a wrong token gets 401 with the Basic challenge and reason unauthenticated", async () => {
    const response = await through(`PT${"0".repeat(48)}`, "GET", "/calls/123");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Basic realm="Tokenspace"');
    expect(response.headers.get("x-tokenspace-reason")).toBe("unauthenticated");
  });

  test("the rules file applies to the forwarded method and path: 403 with reason forbidden", async () => {
    const caller = await create(["chat"]);
    expect((await through(caller.token, "GET", "/chat/rooms")).status).toBe(200);
    const refused = await through(caller.token, "POST", "/messages");
    expect(refused.status).toBe(403);
    expect(refused.headers.get("x-tokenspace-reason")).toBe("forbidden");
  });

  test("a token over its rate limit gets 429 rate_limited with Retry-After", async () => {
    const caller = await create(["calling"], { rate_limit: { limit: 1, window: "1h" } });
    expect((await through(caller.token, "GET", "/calls")).status).toBe(200);
    const limited = await through(caller.token, "GET", "/calls");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("x-tokenspace-reason")).toBe("rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.body.error).toContain("rate limit");
  });

  test("a token out of uses gets 429 usage_exceeded", async () => {
    const caller = await create(["calling"], { uses_remaining: 1 });
    expect((await through(caller.token, "GET", "/calls")).status).toBe(200);
    const spent = await through(caller.token, "GET", "/calls");
    expect(spent.status).toBe(429);
    expect(spent.headers.get("x-tokenspace-reason")).toBe("usage_exceeded");
  });
}

/**
 * Starts a proxy (nginx, Caddy) and waits until it answers at `front`; fails with what it
 * printed if it exits or does not answer within 10 s.
 */
export async function startProxy(
  name: string,
  command: string,
  args: string[],
  front: string,
  env?: NodeJS.ProcessEnv,
): Promise<ChildProcess> {
  const proxy = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"], ...(env && { env }) });
  let stderr = "";
  proxy.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  for (let attempt = 0; ; attempt++) {
    try {
      await fetch(front);
      return proxy;
    } catch {
      if (attempt > 200 || proxy.exitCode !== null) {
        proxy.kill("SIGTERM");
        throw new Error(`${name} did not start: ${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
