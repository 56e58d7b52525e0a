import { openDurableCreateWrites } from "./durable-create-writes.js";
import { answerJson, serveReference } from "./reference-server.js";

/**
 * The floor of a durable create on SQLite: what node:http and better-sqlite3 cost doing a
 * create's writes with nothing else, so that BENCHMARKS.md can tell what the design spends
 * above what the work itself takes. Per POST: the JSON body parsed, the create staged and, in
 * one group commit per turn, written (durable-create-writes.ts); then the token answered as
 * JSON. No routing, no authentication, no validation, no logging. Started as its own process
 * by run.ts, on a database of its own.
 */
const writes = await openDurableCreateWrites(
  String(process.env.DATABASE_URL).replace(/^sqlite:/, ""),
);

serveReference((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    if (request.method !== "POST") return answerJson(response, "{}");
    const { name, permissions } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    writes.create(name, permissions, (body) => answerJson(response, body));
  });
});
