import Fastify from "fastify";
import { openDurableCreateWrites } from "./durable-create-writes.js";

interface CreateBody {
  readonly name: string;
  readonly permissions: readonly string[];
}

/**
 * The durable create's floor served by Fastify, the framework Tokenspace is built on: the same
 * writes as durable-create-floor.ts behind one route with Fastify's defaults (its JSON body
 * parser, no schema, no hooks, no logger). Between the two floors is what the framework
 * costs; between this one and Tokenspace, what Tokenspace's own work on a create costs
 * (authentication, validation, the service and store layers, the request log). Started as its
 * own process by run.ts, on a database of its own.
 */
const writes = await openDurableCreateWrites(
  String(process.env.DATABASE_URL).replace(/^sqlite:/, ""),
);

const app = Fastify();
// Every path, as the node:http floor: the benchmark sends the create to the Tokens API's path.
app.get("*", (_request, reply) => {
  reply.type("application/json; charset=utf-8").send("{}");
});
app.post<{ Body: CreateBody }>("*", (request, reply) => {
  writes.create(request.body.name, request.body.permissions, (body) => {
    reply.type("application/json; charset=utf-8").send(body);
  });
});
await app.listen({ port: Number(process.env.PORT), host: "127.0.0.1" });
process.on("SIGTERM", () => app.close().then(() => process.exit(0)));
