import { createServer, type Server } from "node:http";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { basic } from "../../server/test/support/http-client.js";
import { startTestServer, type TestServer } from "../../server/test/support/test-server.js";
import {
  RestClient,
  type TokenspacePrincipal,
  TokenspaceVerifier,
  tokenspaceFastifyHook,
  tokenspaceMiddleware,
} from "../src/index.js";

/** Tokenspace additions for services: verification, middleware and introspection. */
describe("services verify their callers through Tokenspace", () => {
  let tokenspace: TestServer;
  let client: RestClient;
  let verifier: TokenspaceVerifier;
  let caller: { id: string; token: string };
  let fastify: FastifyInstance;
  let connect: Server;
  let connectUrl: string;

  beforeAll(async () => {
    tokenspace = await startTestServer();
    client = new RestClient({
      project: tokenspace.projectId,
      token: tokenspace.token,
      host: tokenspace.url,
    });
    caller = await client.compat.tokens.create({ name: "caller", permissions: ["calling"] });
    verifier = new TokenspaceVerifier({ baseUrl: tokenspace.url });

    fastify = Fastify();
    fastify.decorateRequest("tokenspace", null);
    fastify.get(
      "/calls",
      { onRequest: tokenspaceFastifyHook(verifier, { permissions: ["calling"] }) },
      async (request) => (request as unknown as { tokenspace: TokenspacePrincipal }).tokenspace,
    );
    await fastify.listen({ port: 0, host: "127.0.0.1" });

    const guard = tokenspaceMiddleware(verifier, { permissions: ["fax"] });
    connect = createServer((request, response) => {
      guard(request, response, (error?: unknown) => {
        response.writeHead(error ? 500 : 200, { "content-type": "application/json" });
        response.end(JSON.stringify((request as { tokenspace?: unknown }).tokenspace ?? null));
      });
    });
    await new Promise<void>((resolve) => connect.listen(0, "127.0.0.1", resolve));
    connectUrl = `http://127.0.0.1:${(connect.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await fastify?.close();
    await new Promise((resolve) => connect?.close(resolve));
    await tokenspace?.close();
  });

  const as = (token: string) => basic(tokenspace.projectId, token);

  test("verify gives the principal of valid credentials", async () => {
    const outcome = await verifier.verify(as(caller.token), { permissions: ["calling"] });
    expect(outcome).toEqual({
      ok: true,
      principal: { projectId: tokenspace.projectId, tokenId: caller.id, permissions: ["calling"] },
      limits: {},
    });
  });

  test("verify refuses wrong credentials with 401 and a missing permission with 403, saying why", async () => {
    expect(await verifier.verify(as(`PT${"0".repeat(48)}`))).toMatchObject({
      ok: false,
      status: 401,
      reason: "unauthenticated",
    });
    expect(await verifier.verify(undefined)).toMatchObject({ ok: false, status: 401 });
    expect(await verifier.verify(as(caller.token), { permissions: ["fax"] })).toMatchObject({
      ok: false,
      status: 403,
      reason: "forbidden",
    });
  });

  test("verify gives a limited token's standing, and 429 rate_limited with when to retry", async () => {
    const limited = await client.tokenspace.tokens.create({
      name: "limited",
      permissions: ["calling"],
      rate_limit: { limit: 1, window: "1h" },
      uses_remaining: 5,
    });
    const allowed = await verifier.verify(as(limited.token));
    expect(allowed).toMatchObject({
      ok: true,
      limits: { rateLimitPolicy: '"token";q=1;w=3600', usesRemaining: 4 },
    });
    const refused = await verifier.verify(as(limited.token));
    expect(refused).toMatchObject({ ok: false, status: 429, reason: "rate_limited" });
    expect(refused.ok === false && refused.retryAfterSeconds).toBeGreaterThan(0);
  });

  test("the middleware hands a 429 on with Retry-After and the reason", async () => {
    const limited = await client.tokenspace.tokens.create({
      name: "limited faxer",
      permissions: ["fax"],
      rate_limit: { limit: 1, window: "1h" },
    });
    expect(
      (await fetch(connectUrl, { headers: { authorization: as(limited.token) } })).status,
    ).toBe(200);
    const refused = await fetch(connectUrl, { headers: { authorization: as(limited.token) } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("x-tokenspace-reason")).toBe("rate_limited");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  test("client.tokenspace usage reads a token's and the project's verifications back", async () => {
    const counted = await client.tokenspace.tokens.create({
      name: "counted",
      permissions: ["calling"],
    });
    await verifier.verify(as(counted.token));
    await verifier.verify(as(counted.token), { permissions: ["fax"] });
    await vi.waitFor(
      async () => {
        const usage = await client.tokenspace.tokens.usage(counted.id, {
          since: "1h",
          granularity: "minute",
        });
        expect(usage).toMatchObject({ granularity: "minute", allowed: 1, refused: 1 });
        expect(usage.buckets.length).toBeGreaterThanOrEqual(60);
      },
      { timeout: 5000, interval: 200 },
    );
    const totals = await client.tokenspace.usage({ since: "1h" });
    expect(totals.granularity).toBe("hour");
    expect(totals.allowed).toBeGreaterThanOrEqual(1);
  });

  test("the Fastify hook puts the principal on the request, or answers 401", async () => {
    const url = `http://127.0.0.1:${(fastify.server.address() as { port: number }).port}/calls`;
    const allowed = await fetch(url, { headers: { authorization: as(caller.token) } });
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toMatchObject({ tokenId: caller.id });
    const refused = await fetch(url, { headers: { authorization: as(`PT${"1".repeat(48)}`) } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toBe('Basic realm="Tokenspace"');
  });

  test("the Express/Connect middleware answers 403 for a missing permission, else calls next", async () => {
    const refused = await fetch(connectUrl, { headers: { authorization: as(caller.token) } });
    expect(refused.status).toBe(403);
    const faxer = await client.compat.tokens.create({ name: "faxer", permissions: ["fax"] });
    const allowed = await fetch(connectUrl, { headers: { authorization: as(faxer.token) } });
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toMatchObject({ tokenId: faxer.id, permissions: ["fax"] });
  });

  test("client.tokenspace.introspect looks a token up with the client's management token", async () => {
    expect(await client.tokenspace.introspect(caller.token)).toEqual({
      active: true,
      project_id: tokenspace.projectId,
      token_id: caller.id,
      name: "caller",
      permissions: ["calling"],
    });
    expect(await client.tokenspace.introspect(`PT${"2".repeat(48)}`)).toEqual({ active: false });
  });
});
