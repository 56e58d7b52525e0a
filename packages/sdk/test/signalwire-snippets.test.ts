import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestServer, type TestServer } from "../../server/test/support/test-server.js";

const SNIPPETS = fileURLToPath(
  new URL("./signalwire-snippets/tokens-and-accounts.ts", import.meta.url),
);

/**
 * A file of snippets written for SignalWire's SDK (`import … from "@signalwire/sdk"`), run as
 * its own process against a real Tokenspace with this SDK installed under that name. The
 * connection comes from SignalWire's environment variables, the space given as a whole origin.
 */
describe("SignalWire SDK snippets run unchanged under the @signalwire/sdk alias", () => {
  let server: TestServer;
  // biome-ignore lint/suspicious/noExplicitAny: the snippets print wire JSON of many shapes
  let results: Record<string, any>;

  beforeAll(async () => {
    server = await startTestServer();
    results = await new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        ["--conditions=tokenspace-source", "--import", "tsx", SNIPPETS],
        {
          env: {
            PATH: process.env.PATH,
            SIGNALWIRE_PROJECT_ID: server.projectId,
            SIGNALWIRE_API_TOKEN: server.token,
            SIGNALWIRE_SPACE: server.url,
          },
        },
        (error, stdout, stderr) =>
          error ? reject(new Error(`the snippets failed: ${stderr}`)) : resolve(JSON.parse(stdout)),
      );
    });
  }, 60_000);
  afterAll(() => server?.close());

  test("compat.tokens.create and update return the token with its secret", () => {
    expect(results.created).toMatchObject({
      name: "my-token",
      permissions: ["calling", "messaging"],
      token: expect.stringMatching(/^PT[0-9a-f]{48}$/),
    });
    expect(results.updated).toEqual({ ...results.created, name: "updated-token" });
  });

  test("compat.tokens.list resolves to the raw page, with its query passed as given", () => {
    expect(results.tokenPage).toEqual({ page_size: 1, count: 1 });
  });

  test("compat.tokens.delete resolves to an empty object", () => {
    expect(results.deleted).toEqual({});
  });

  test("compat.accounts takes FriendlyName verbatim and returns account objects", () => {
    expect(results.account).toMatchObject({
      friendly_name: "Staging",
      subproject: true,
      owner_account_sid: server.projectId,
      signing_key: expect.stringMatching(/^PSK_/),
    });
    expect(results.fetchedAccount).toEqual({ ...results.account, signing_key: null });
    expect(results.renamedAccount.friendly_name).toBe("Staging (renamed)");
    expect(results.accounts).toEqual(["Staging (renamed)"]);
  });

  test("project.tokens works on the native surface, list returning the raw page", () => {
    expect(results.projectToken).toMatchObject({
      name: "native-token",
      permissions: ["chat", "video"],
    });
    expect(results.nativePage).toEqual({ count: 2, hasNext: false });
    expect(results.allTokens).toBe(2);
  });

  test("an error is a RestError, also exported as SignalWireRestError, worded as SignalWire's", () => {
    expect(results.error.statusCode).toBe(404);
    expect(results.error.message).toMatch(
      new RegExp(
        `^PATCH ${server.url}/api/laml/2010-04-01/Accounts/[0-9a-f-]+/tokens/[0-9a-f-]+ returned 404: \\{"code":20404,`,
      ),
    );
  });
});
