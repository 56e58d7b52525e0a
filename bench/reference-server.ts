import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

/** A 200 with a JSON body, written as plainly as node:http allows. */
export function answerJson(response: ServerResponse, body: string): void {
  response.writeHead(200, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
  });
  response.end(body);
}

/**
 * Serves `handler` on 127.0.0.1 at PORT until SIGTERM: how run.ts starts the servers it
 * measures Tokenspace against (the raw baseline and the durable create's floor).
 */
export function serveReference(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): void {
  const server = createServer(handler);
  server.listen(Number(process.env.PORT), "127.0.0.1");
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}
