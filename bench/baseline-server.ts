import { createServer } from "node:http";

/**
 * The ceiling for any Node HTTP service on this machine: node:http answering a fixed small
 * JSON body, with no routing, parsing, auth or storage. Started as its own process by run.ts.
 */
const BODY = JSON.stringify({
  id: "ea14556a-984f-11ee-b9d1-0242ac120002",
  name: "John Doe's Token",
  permissions: ["calling", "fax", "messaging"],
});

const server = createServer((request, response) => {
  request.resume();
  request.on("end", () => {
    response.writeHead(200, {
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(BODY),
    });
    response.end(BODY);
  });
});
server.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => server.close(() => process.exit(0)));
