import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { startTestServer, type TestServer } from "../../server/test/support/test-server.js";
import { ConnectionError, RestClient, RestError } from "../src/index.js";
import { FrontServer } from "./support/front-server.js";

describe("retries and timeouts, against a real server answering that way", () => {
  let server: TestServer;
  let front: FrontServer;

  beforeAll(async () => {
    server = await startTestServer();
    front = new FrontServer(server.url);
    await front.start();
  });
  afterEach(() => front.behave((_request, _response, forward) => forward()));
  afterAll(async () => {
    await front.close();
    await server.close();
  });

  const clientVia = (options: Partial<ConstructorParameters<typeof RestClient>[0]> = {}) =>
    new RestClient({
      project: server.projectId,
      token: server.token,
      baseUrl: front.url,
      retry: { retries: 3, minDelayMs: 10, maxDelayMs: 50 },
      ...options,
    } as ConstructorParameters<typeof RestClient>[0]);

  /** Answers `status` to the first `times` requests, then forwards. */
  const refuse = (status: number, times: number, retryAfter?: string) => {
    let refused = 0;
    front.behave((_request, response, forward) => {
      if (refused++ >= times) return forward();
      response.writeHead(status, {
        "content-type": "application/json",
        ...(retryAfter !== undefined && { "retry-after": retryAfter }),
      });
      response.end(
        JSON.stringify({ code: status === 429 ? 20429 : 20503, message: "try later", status }),
      );
    });
  };

  test("a 429 with Retry-After is retried after the time it asks for, then succeeds", async () => {
    refuse(429, 2, "0.2");
    const started = performance.now();
    const token = await clientVia().compat.tokens.create({
      name: "after 429",
      permissions: ["chat"],
    });
    expect(token.name).toBe("after 429");
    expect(front.requests).toHaveLength(3);
    expect(performance.now() - started).toBeGreaterThanOrEqual(380);
  });

  test("a 503 is retried, even for a create (a 503 says nothing was done)", async () => {
    refuse(503, 2);
    const token = await clientVia().compat.tokens.create({
      name: "after 503",
      permissions: ["chat"],
    });
    expect(token.name).toBe("after 503");
    expect(front.requests.filter((line) => line.startsWith("POST"))).toHaveLength(3);
  });

  test("when retries run out the last answer is the RestError", async () => {
    refuse(503, 10);
    const error = await clientVia({ retry: { retries: 2, minDelayMs: 5, maxDelayMs: 10 } })
      .compat.tokens.iterate()
      .all()
      .catch((rejection: unknown) => rejection);
    expect(error).toBeInstanceOf(RestError);
    expect(error).toMatchObject({ statusCode: 503, code: 20503 });
    expect(front.requests).toHaveLength(3);
  });

  test("other errors are not retried", async () => {
    refuse(500, 10);
    await clientVia()
      .compat.tokens.iterate()
      .all()
      .catch(() => undefined);
    expect(front.requests).toHaveLength(1);
  });

  test("a dropped connection is retried for a GET", async () => {
    let dropped = 0;
    front.behave((request, _response, forward) => {
      if (dropped++ < 2) request.socket.destroy();
      else forward();
    });
    const tokens = await clientVia().compat.tokens.iterate().all();
    expect(tokens.length).toBeGreaterThan(0);
    expect(front.requests).toHaveLength(3);
  });

  test("a dropped connection is not retried for a POST, which may have been applied", async () => {
    front.behave((request) => request.socket.destroy());
    const error = await clientVia()
      .compat.tokens.create({ name: "never", permissions: ["chat"] })
      .catch((rejection: unknown) => rejection);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(front.requests).toHaveLength(1);
  });

  test("a request that takes longer than timeoutMs fails with a ConnectionError that says so", async () => {
    front.behave(() => {});
    const started = performance.now();
    const error = await clientVia({ timeoutMs: 150, retry: { retries: 0 } })
      .compat.tokens.get("00000000-0000-4000-8000-000000000000")
      .catch((rejection: unknown) => rejection);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).timedOut).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  test("an AbortSignal of the caller cancels the request", async () => {
    front.behave(() => {});
    const controller = new AbortController();
    const pending = clientVia().compat.tokens.get("00000000-0000-4000-8000-000000000000", {
      signal: controller.signal,
    });
    controller.abort(new Error("caller gave up"));
    await expect(pending).rejects.toThrow("caller gave up");
  });
  /** Answers `status` with a JSON start and then a body that never ends, to `times` requests. */
  const flood = (status: number, times: number) => {
    let flooded = 0;
    front.behave((_request, response, forward) => {
      if (flooded++ >= times) return forward();
      response.writeHead(status, { "content-type": "application/json" });
      const chunk = Buffer.alloc(16 * 1024, "x");
      const write = () => {
        while (!response.destroyed && response.write(chunk)) {}
        if (!response.destroyed) response.once("drain", write);
      };
      response.write('{"message":"');
      write();
    });
  };

  test("an error whose body never ends is reported from its first 64 KiB", async () => {
    flood(500, 1);

    const failure = await clientVia()
      .compat.tokens.list()
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(RestError);
    expect((failure as RestError).statusCode).toBe(500);
    expect(((failure as RestError).body as string).length).toBe(64 * 1024);
  });

  test("a 503 whose body never ends is retried without reading it to its end", async () => {
    flood(503, 1);

    const token = await clientVia().compat.tokens.create({
      name: "after an endless 503",
      permissions: ["chat"],
    });

    expect(token.name).toBe("after an endless 503");
    expect(front.requests).toHaveLength(2);
  });
});
