// Code written against SignalWire's TypeScript SDK, the way SignalWire's reference writes it,
// run unchanged with @tokenspace/sdk installed as @signalwire/sdk. The client takes its
// project, token and space from SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN and SIGNALWIRE_SPACE.
// Prints what each call returned, as JSON, for the test that runs it.
import { paginateAll, RestClient, RestError, SignalWireRestError } from "@signalwire/sdk";

const client = new RestClient();
const results: Record<string, unknown> = {};

const token = await client.compat.tokens.create({
  name: "my-token",
  permissions: ["calling", "messaging"],
});
results.created = token;

results.updated = await client.compat.tokens.update(token.id, { name: "updated-token" });

const tokens = await client.compat.tokens.list({ PageSize: 1 });
results.tokenPage = { page_size: tokens.page_size, count: tokens.tokens.length };

results.deleted = await client.compat.tokens.delete(token.id);

const account = await client.compat.accounts.create({ FriendlyName: "Staging" });
results.account = account;
results.fetchedAccount = await client.compat.accounts.get(account.sid);
results.renamedAccount = await client.compat.accounts.update(account.sid, {
  FriendlyName: "Staging (renamed)",
});
const accounts = await client.compat.accounts.list({ FriendlyName: "Staging (renamed)" });
results.accounts = accounts.accounts.map((item) => item.friendly_name);

const projectToken = await client.project.tokens.create({
  name: "native-token",
  permissions: ["video"],
});
results.projectToken = await client.project.tokens.update(projectToken.id, {
  permissions: ["video", "chat"],
});
const nativePage = await client.project.tokens.list({ page_size: 2 });
results.nativePage = { count: nativePage.data.length, hasNext: nativePage.links.next !== null };
results.allTokens = (await paginateAll(client.project.tokens, { page_size: 1 })).length;
await client.project.tokens.delete(projectToken.id);

try {
  await client.compat.tokens.update(token.id, { name: "gone" });
} catch (error) {
  if (error instanceof SignalWireRestError && error instanceof RestError) {
    results.error = { statusCode: error.statusCode, message: error.message };
  }
}

console.log(JSON.stringify(results));
