// Against a local Tokenspace: every token of the project, across pages, and error handling.
import { RestClient, RestError } from "@tokenspace/sdk";

const client = new RestClient({
  project: "your-project-id",
  token: "your-api-token",
  baseUrl: "http://127.0.0.1:8080",
  timeoutMs: 5000,
  retry: { retries: 3 },
});

for await (const token of client.compat.tokens.iterate({ pageSize: 100 })) {
  console.log(token.id, token.name, token.permissions.join(","));
}

const subproject = await client.compat.accounts.create({ FriendlyName: "Staging" });
const scoped = await client.project.tokens.create({
  name: "staging deploys",
  permissions: ["calling"],
  subproject_id: subproject.sid,
});
console.log(`${subproject.sid}:${scoped.token}`);

try {
  await client.compat.tokens.get("00000000-0000-4000-8000-000000000000");
} catch (error) {
  if (error instanceof RestError && error.statusCode === 404) console.log("no such token");
  else throw error;
}
