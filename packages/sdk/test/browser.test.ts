import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CHROMIUM, launchChromium } from "../../server/test/support/chromium.js";
import { startTestServer, type TestServer } from "../../server/test/support/test-server.js";
import { FrontServer } from "./support/front-server.js";

const SDK = fileURLToPath(new URL("..", import.meta.url));
const available = CHROMIUM !== null;

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>SDK</title></head><body>SDK</body></html>`;

/** The built SDK, loaded as ES modules by a real browser, talking to a real Tokenspace. */
describe.skipIf(!available)("the SDK in a browser", () => {
  let server: TestServer;
  let front: FrontServer;
  let browser: Browser;

  beforeAll(async () => {
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, [tsc, "-b", SDK], (error, stdout) =>
        error ? reject(new Error(stdout)) : resolve(),
      ),
    );
    server = await startTestServer();
    front = new FrontServer(server.url);
    // Same origin for the page, the SDK's modules and the API, as a web app would have it.
    front.behave((request, response, forward) => {
      const url = request.url ?? "/";
      if (url === "/") {
        response.writeHead(200, { "content-type": "text/html" }).end(PAGE);
      } else if (url.startsWith("/sdk/") && /^[\w.-]+\.js$/.test(url.slice(5))) {
        response
          .writeHead(200, { "content-type": "text/javascript" })
          .end(readFileSync(`${SDK}dist/${url.slice(5)}`));
      } else {
        forward();
      }
    });
    await front.start();
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await front?.close();
    await server?.close();
  });

  test("creates, lists and reports errors from inside a page", async () => {
    const page = await browser.newPage();
    await page.goto(`${front.url}/`);
    // Plain text, so that the test runner's module transform never touches the page's code.
    const script = `(async () => {
      const { RestClient, RestError } = await import("/sdk/index.js");
      const client = new RestClient(${JSON.stringify({ project: server.projectId, token: server.token, baseUrl: front.url })});
      const created = await client.compat.tokens.create({ name: "from a browser", permissions: ["chat", "calling"] });
      const listed = await client.compat.tokens.iterate({ pageSize: 1 }).all();
      const refused = await client.compat.tokens
        .create({ name: "x", permissions: ["voice"] })
        .catch((error) => error);
      return {
        created,
        listedIds: listed.map((item) => item.id),
        refused: { isRestError: refused instanceof RestError, statusCode: refused.statusCode, code: refused.code },
      };
    })()`;
    const result = (await page.evaluate(script)) as {
      created: { id: string };
      listedIds: string[];
      refused: unknown;
    };
    expect(result.created).toMatchObject({
      name: "from a browser",
      permissions: ["calling", "chat"],
    });
    expect(result.listedIds).toContain(result.created.id);
    expect(result.refused).toEqual({
      isRestError: true,
      statusCode: 422,
      code: "invalid_auth_token_permissions",
    });
  });
});
