import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { startTestServer, type TestServer } from "../../server/test/support/test-server.js";
import { useConsoleServer } from "./support/console-server.js";

/** How the server serves the console's files, over plain HTTP. */
describe("the console's files", () => {
  const running = useConsoleServer();
  let server: TestServer;
  let script: string;

  beforeAll(async () => {
    server = running.server;
    const page = await (await fetch(`${server.url}/console`)).text();
    script = /src="(\/console\/assets\/[\w-]+\.js)"/.exec(page)?.[1] ?? "no script in the page";
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { headers, redirect: "manual" });

  test("/ redirects to /console", async () => {
    const response = await get("/");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/console");
  });

  test("the page is checked on every load and bound by a strict Content-Security-Policy", async () => {
    for (const path of ["/console", "/console/"]) {
      const response = await get(path);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain("text/html");
      expect(response.headers.get("cache-control")).toBe("no-cache");
      const policy = response.headers.get("content-security-policy") ?? "";
      expect(policy).toContain("default-src 'none'");
      expect(policy).toContain("script-src 'self'");
      expect(policy).not.toContain("unsafe-inline");
      expect(policy).toContain("frame-ancestors 'none'");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    }
  });

  test("the page has no inline script and loads nothing from another origin", async () => {
    const html = await (await get("/console")).text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/src="\/console\/assets\/[\w-]+\.js"/);
      expect(body?.trim()).toBe("");
    }
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  test("hashed assets are cached for a year and sent compressed as the browser accepts", async () => {
    const plain = await get(script, { "accept-encoding": "identity" });
    const size = (await plain.arrayBuffer()).byteLength;
    expect(plain.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    for (const encoding of ["br", "gzip"]) {
      const response = await get(script, { "accept-encoding": encoding });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-encoding")).toBe(encoding);
      expect(Number(response.headers.get("content-length"))).toBeLessThan(size / 2);
      expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    }
  });

  test("a file the console does not have is a JSON 404, not a page", async () => {
    const response = await get("/console/assets/missing-0000.js");
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toContain("application/json");
  });

  test("a path that climbs out of the console's directory is refused", async () => {
    const response = await get("/console/assets/..%2f..%2f..%2fpackage.json");
    expect([400, 403, 404]).toContain(response.status);
    expect(await response.text()).not.toContain("@tokenspace");
  });

  test("a server with no console build answers /console with a 503 that says how to build it", async () => {
    const empty = mkdtempSync(join(tmpdir(), "tokenspace-no-console-"));
    const unbuilt = await startTestServer({ consoleDirectory: empty });
    try {
      const response = await fetch(`${unbuilt.url}/console`);
      expect(response.status).toBe(503);
      expect(((await response.json()) as { error: string }).error).toContain("npm run build");
    } finally {
      await unbuilt.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
