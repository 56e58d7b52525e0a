import { connect } from "node:net";
import { describe, expect, test } from "vitest";
import { COMPAT } from "./support/compat.js";
import { useTestServer } from "./support/fixtures.js";
import { basic } from "./support/http-client.js";

interface RawAnswer {
  readonly status: number;
  readonly body: string;
  readonly elapsedMs: number;
}

/**
 * Writes bytes on a raw TCP connection, `pieces` one after another with a pause between them,
 * and reads whatever the server answers until it closes the connection.
 */
function exchange(url: string, pieces: readonly string[], pauseMs = 0): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = "";
    let timer: NodeJS.Timeout | undefined;
    socket.setEncoding("utf8");
    socket.on("data", (chunk) => {
      received += chunk;
    });
    socket.on("error", reject);
    socket.on("close", () => {
      clearTimeout(timer);
      const [head = "", body = ""] = received.split("\r\n\r\n");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, body, elapsedMs: performance.now() - started });
    });
    const send = (index: number) => {
      const piece = pieces[index];
      if (piece === undefined || socket.destroyed) return;
      socket.write(piece);
      timer = setTimeout(() => send(index + 1), pauseMs);
    };
    socket.on("connect", () => send(0));
  });
}

describe("answers Node gives before routing take the shape of the surface addressed", () => {
  const fixture = useTestServer({
    env: { TOKENSPACE_HEADERS_TIMEOUT_MS: "1000", TOKENSPACE_REQUEST_TIMEOUT_MS: "2000" },
  });
  const tokens = () => `${COMPAT}/Accounts/${fixture.server.projectId}/tokens`;
  const auth = () => basic(fixture.server.projectId, fixture.server.token);

  test("headers over 16 KiB are a 431 in the compatibility shape", async () => {
    const answer = await exchange(fixture.server.url, [
      `GET ${tokens()} HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth()}\r\nX-Big: ${"b".repeat(20_000)}\r\n\r\n`,
    ]);
    expect(answer.status).toBe(431);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 10000, status: 431 });
  });

  test("a URL over 16 KiB is a 431 in the native shape under /api/project", async () => {
    const answer = await exchange(fixture.server.url, [
      `GET /api/project/tokens?x=${"u".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    ]);
    expect(answer.status).toBe(431);
    expect(JSON.parse(answer.body)).toEqual({ error: "Request Header Fields Too Large" });
  });

  test("broken framing is a 400 in the compatibility shape", async () => {
    const answer = await exchange(fixture.server.url, [
      `POST ${tokens()} HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n`,
    ]);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 10000, status: 400 });
  });

  test("a body that arrives too slowly is a 408 in the surface's shape, within the limit", async () => {
    const head = `POST ${tokens()} HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth()}\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n`;
    const answer = await exchange(fixture.server.url, [head, ...Array(20).fill("{")], 300);
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 10000, status: 408 });
    expect(answer.elapsedMs).toBeLessThan(4000);
  });

  test("a small JSON create whose body arrives too slowly from a cached credential is a 408 in the surface's shape", async () => {
    // Cached from the first request on: a small JSON create's body is then read before the
    // framework sees the request (http/token-fast-path.ts).
    await fetch(fixture.server.url + tokens(), { headers: { authorization: auth() } });
    const head = `POST ${tokens()} HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth()}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n`;
    const answer = await exchange(fixture.server.url, [head, ...Array(20).fill("{")], 300);
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 10000, status: 408 });
    expect(answer.elapsedMs).toBeLessThan(4000);
  });

  test("headers that never complete in time are a 408 (no path is known yet: the plain shape)", async () => {
    const answer = await exchange(
      fixture.server.url,
      [`GET ${tokens()} HTTP/1.1\r\n`, "Host: x\r\n", ...Array(20).fill("X-Slow: 1\r\n")],
      300,
    );
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body)).toEqual({
      error: expect.stringContaining("not received in time"),
    });
    expect(answer.elapsedMs).toBeLessThan(3000);
  });

  test("a body over 1 MiB is a 413 in the native shape", async () => {
    const response = await fixture.http.request("POST", "/api/project/tokens", {
      raw: `{"name":"${"n".repeat(1_100_000)}"}`,
      headers: { "content-type": "application/json" },
    });
    expect(response.status).toBe(413);
    expect(response.body).toEqual({ error: "Payload Too Large" });
  });
});
