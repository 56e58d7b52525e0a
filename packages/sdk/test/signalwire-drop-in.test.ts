import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { startTestServer, type TestServer } from "../../server/test/support/test-server.js";
import {
  type Account,
  paginate,
  paginateAll,
  RestClient,
  RestError,
  SignalWireRestError,
  type TokenSummary,
} from "../src/index.js";

/** What `@signalwire/sdk` users rely on, against a real Tokenspace. */
describe("the SDK behaves as SignalWire's", () => {
  let server: TestServer;
  let client: RestClient;
  const saved = { ...process.env };

  beforeAll(async () => {
    server = await startTestServer();
    client = new RestClient({ project: server.projectId, token: server.token, host: server.url });
    for (const name of ["Drop-in A", "Drop-in B", "Drop-in C"]) {
      await client.compat.accounts.create({ FriendlyName: name });
    }
  });
  afterEach(() => {
    for (const name of ["SIGNALWIRE_PROJECT_ID", "SIGNALWIRE_API_TOKEN", "SIGNALWIRE_SPACE"]) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });
  afterAll(() => server.close());

  test("host with a scheme is used as the origin", async () => {
    const page = await client.compat.accounts.list();
    expect(page.accounts[0]?.sid).toBe(server.projectId);
  });

  test("host without a scheme means HTTPS to that host", async () => {
    const sent: string[] = [];
    const viaSpace = new RestClient({
      project: server.projectId,
      token: server.token,
      host: "example.signalwire.com",
      fetchImpl: (input, init) => {
        sent.push(String(input));
        return fetch(String(input).replace("https://example.signalwire.com", server.url), init);
      },
    });
    await viaSpace.compat.accounts.get(server.projectId);
    expect(sent).toEqual([
      `https://example.signalwire.com/api/laml/2010-04-01/Accounts/${server.projectId}`,
    ]);
  });

  test("project, token and space fall back to SIGNALWIRE_PROJECT_ID, _API_TOKEN and _SPACE", async () => {
    process.env.SIGNALWIRE_PROJECT_ID = server.projectId;
    process.env.SIGNALWIRE_API_TOKEN = server.token;
    process.env.SIGNALWIRE_SPACE = server.url;
    const fromEnvironment = new RestClient();
    const account = await fromEnvironment.compat.accounts.get(server.projectId);
    expect(account.sid).toBe(server.projectId);
  });

  test("options given win over the environment", async () => {
    process.env.SIGNALWIRE_PROJECT_ID = "00000000-0000-4000-8000-000000000000";
    process.env.SIGNALWIRE_API_TOKEN = `PT${"0".repeat(48)}`;
    process.env.SIGNALWIRE_SPACE = "http://127.0.0.1:1";
    const explicit = new RestClient({
      project: server.projectId,
      token: server.token,
      host: server.url,
    });
    expect((await explicit.compat.accounts.get(server.projectId)).sid).toBe(server.projectId);
  });

  test("without credentials anywhere the constructor names what to set", () => {
    delete process.env.SIGNALWIRE_PROJECT_ID;
    delete process.env.SIGNALWIRE_API_TOKEN;
    expect(() => new RestClient({ host: server.url })).toThrow(/SIGNALWIRE_PROJECT_ID/);
  });

  test("list resolves to the raw page on every resource", async () => {
    const compatTokens = await client.compat.tokens.list({ PageSize: 1 });
    expect(compatTokens).toMatchObject({ page: 0, page_size: 1, previous_page_uri: null });
    expect(compatTokens.tokens).toHaveLength(1);
    const accounts = await client.compat.accounts.list({ PageSize: 2 });
    expect(accounts.accounts).toHaveLength(2);
    expect(accounts.next_page_uri).toContain("PageToken=");
    const native = await client.project.tokens.list({ page_size: 1 });
    expect(native.data).toHaveLength(1);
    expect(native.links).toMatchObject({ prev: null });
  });

  test("paginate walks every page of a compatibility list", async () => {
    const names: string[] = [];
    for await (const account of paginate<Account>(client.compat.accounts, { PageSize: 1 })) {
      names.push(account.friendly_name);
    }
    expect(names).toHaveLength(4);
    expect(names.slice(1)).toEqual(["Drop-in A", "Drop-in B", "Drop-in C"]);
  });

  test("paginateAll collects a native list, keeping the query's filters and page size", async () => {
    await client.project.tokens.create({ name: "second", permissions: ["chat"] });
    const all = await paginateAll<TokenSummary>(client.project.tokens, { page_size: 1 });
    const iterated = await client.project.tokens.iterate().all();
    expect(all.map((token) => token.id)).toEqual(iterated.map((token) => token.id));
    const filtered = await paginateAll<Account>(client.compat.accounts, {
      FriendlyName: "Drop-in B",
      PageSize: 1,
    });
    expect(filtered.map((account) => account.friendly_name)).toEqual(["Drop-in B"]);
  });

  test("a RestError's message is METHOD URL returned STATUS: BODY", async () => {
    const missing = "00000000-0000-4000-8000-000000000000";
    const error = await client.compat.tokens.get(missing).catch((rejection: unknown) => rejection);
    expect(error).toBeInstanceOf(SignalWireRestError);
    expect(SignalWireRestError).toBe(RestError);
    const url = `${server.url}/api/laml/2010-04-01/Accounts/${server.projectId}/tokens/${missing}`;
    const body = (error as RestError).body;
    expect((error as RestError).message).toBe(`GET ${url} returned 404: ${JSON.stringify(body)}`);
  });
});
