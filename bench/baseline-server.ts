import { answerJson, serveReference } from "./reference-server.js";

/**
 * The ceiling for any Node HTTP service on this machine: node:http answering a fixed small
 * JSON body, with no routing, parsing, auth or storage. Started as its own process by run.ts.
 */
const BODY = JSON.stringify({
  id: "ea14556a-984f-11ee-b9d1-0242ac120002",
  name: "John Doe's Token",
  permissions: ["calling", "fax", "messaging"],
});

serveReference((request, response) => {
  request.resume();
  request.on("end", () => answerJson(response, BODY));
});
