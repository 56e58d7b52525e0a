// The SDK reference's examples, as written there; only the import names this package.
import { RestClient } from "@tokenspace/sdk";

const client = new RestClient({
  project: "your-project-id",
  token: "your-api-token",
  host: "your-space.signalwire.com",
});

const token = await client.compat.tokens.create({
  name: "my-token",
  permissions: ["calling", "messaging"],
});
console.log(token.id, token.token);

await client.compat.tokens.update("token-id", { name: "updated-token" });
