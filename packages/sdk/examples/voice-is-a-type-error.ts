// The SDK reference's create example uses "voice", which is not a permission: with this SDK
// that is caught at compile time (the line below fails to compile without the directive).
import { RestClient } from "@tokenspace/sdk";

const client = new RestClient({
  project: "your-project-id",
  token: "your-api-token",
  baseUrl: "http://127.0.0.1:8080",
});

await client.compat.tokens.create({
  name: "my-token",
  // @ts-expect-error "voice" is not a Permission; "calling" is what it means.
  permissions: ["voice", "messaging"],
});
