import { connect } from "node:net";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import { afterEach, beforeEach, expect, test } from "vitest";
import { TurnEndWrites } from "../../src/http/turn-end-writes.js";

let app: FastifyInstance;
beforeEach(() => {
  app = Fastify();
  new TurnEndWrites().register(app);
});
afterEach(() => app.close());

/** Sends `requests` in one write on one connection and reads until the server closes it. */
async function pipelined(requests: readonly string[]): Promise<string> {
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(requests.join("")));
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk) => {
      received += chunk;
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(received));
  });
}

const get = (path: string, close = false) =>
  `GET ${path} HTTP/1.1\r\nHost: x\r\n${close ? "Connection: close\r\n" : ""}\r\n`;

test("an answer ready on arrival waits until the other requests of its turn are handled, then all leave in order", async () => {
  let first: FastifyReply | undefined;
  let firstWrittenBeforeSecondHandled: boolean | undefined;
  app.get("/first", (_request, reply) => {
    first = reply;
    reply.send("one");
  });
  app.get("/second", (_request, reply) => {
    firstWrittenBeforeSecondHandled = first?.raw.headersSent;
    reply.send("two");
  });

  const received = await pipelined([get("/first"), get("/second", true)]);

  expect(firstWrittenBeforeSecondHandled).toBe(false);
  expect(received.match(/\r\n\r\n(one|two)/g)).toEqual(["\r\n\r\none", "\r\n\r\ntwo"]);
});

test("an answer that waited for something is written at once", async () => {
  let writtenAtOnce: boolean | undefined;
  app.get("/waits", async (_request, reply) => {
    await new Promise((resolve) => setTimeout(resolve, 10));
    reply.send("waited");
    writtenAtOnce = reply.raw.headersSent;
    return reply;
  });

  const received = await pipelined([get("/waits", true)]);

  expect(writtenAtOnce).toBe(true);
  expect(received).toContain("waited");
});
