import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { TEST_STORE } from "./support/test-database.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

const DRIVER = fileURLToPath(new URL("./support/compatibility-client-driver.cjs", import.meta.url));

interface Report {
  created: { sid: string; friendlyName: string; ownerAccountSid: string; uri: string }[];
  listedSids: string[];
  pages: string[][];
  filtered: string[];
  fetched: { sid: string; friendlyName: string };
  updated: { sid: string; friendlyName: string };
  tokenCreate: { status: number; body: { id: string; name: string; permissions: string[] } };
  tokenUpdate: { status: number; body: { id: string; name: string; permissions: string[] } };
  tokenDelete: { status: number };
  wrongToken: { name: string; status: number; code: number; message: string };
}

/** SignalWire's own Node client, over HTTPS, against a real Tokenspace with a local CA. */
describe("@signalwire/compatibility-api against Tokenspace over HTTPS", () => {
  let server: TestServer;
  let report: Report;

  beforeAll(async () => {
    const directory = mkdtempSync(join(tmpdir(), "tokenspace-compat-client-"));
    server = await startTestServer({
      directory,
      env: {
        TOKENSPACE_TLS: "self-signed",
        ...(TEST_STORE === "postgres" && { TOKENSPACE_TLS_DIR: directory }),
      },
    });
    const caFile = server.server.tls?.caFile ?? "";
    const space = new URL(server.url).host;
    report = await new Promise<Report>((resolve, reject) => {
      execFile(
        process.execPath,
        [DRIVER],
        {
          env: {
            PATH: process.env.PATH,
            NODE_EXTRA_CA_CERTS: caFile,
            SPACE: space,
            PROJECT: server.projectId,
            TOKEN: server.token,
          },
        },
        (error, stdout, stderr) =>
          error ? reject(new Error(`the client failed: ${stderr}`)) : resolve(JSON.parse(stdout)),
      );
    });
  }, 60_000);
  afterAll(() => server?.close());

  test("accounts.create makes subprojects of the authenticated project", () => {
    expect(report.created.map((account) => account.friendlyName)).toEqual([
      "Client One",
      "Client Two",
      "Client Three",
    ]);
    for (const account of report.created) {
      expect(account.ownerAccountSid).toBe(server.projectId);
      expect(account.uri).toBe(`/2010-04-01/Accounts/${account.sid}`);
    }
  });

  test("accounts.list with pageSize pages to the end: the project, then every subproject", () => {
    expect(report.listedSids).toEqual([
      server.projectId,
      ...report.created.map((account) => account.sid),
    ]);
  });

  test("page().nextPage() walks pages of the requested size until there is none", () => {
    expect(report.pages.map((page) => page.length)).toEqual([2, 2]);
    expect(report.pages.flat()).toEqual(report.listedSids);
  });

  test("accounts.list with friendlyName filters by exact name", () => {
    expect(report.filtered).toEqual(["Client Two"]);
  });

  test("accounts(sid).fetch and update read and rename a subproject", () => {
    const [first] = report.created;
    expect(report.fetched).toEqual({ sid: first?.sid, friendlyName: "Client One" });
    expect(report.updated).toEqual({ sid: first?.sid, friendlyName: "Renamed" });
  });

  test("client.request creates, updates and deletes an API token", () => {
    expect(report.tokenCreate.status).toBe(200);
    expect(report.tokenCreate.body).toMatchObject({
      name: "from the compatibility client",
      permissions: ["calling", "fax"],
    });
    expect(report.tokenUpdate.status).toBe(200);
    expect(report.tokenUpdate.body).toMatchObject({
      id: report.tokenCreate.body.id,
      name: "renamed by the compatibility client",
    });
    expect(report.tokenDelete.status).toBe(204);
  });

  test("a wrong token is a RestException with status 401 and code 20003", () => {
    expect(report.wrongToken).toMatchObject({ name: "RestException", status: 401, code: 20003 });
    expect(report.wrongToken.message).toContain("Authentication failed");
  });
});
