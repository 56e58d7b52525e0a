import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RestClient, RestError } from "@tokenspace/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { loadConfig } from "../src/runtime/config.js";
import { TEST_STORE } from "./support/test-database.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

const HARNESS_DRIVER = fileURLToPath(new URL("./support/mock-harness-driver.cjs", import.meta.url));
const HARNESS_TOKEN = "test_tok";
const COMPAT = "/api/laml/2010-04-01/Accounts";

interface JournalEntry {
  timestamp: number;
  method: string;
  path: string;
  query_params: Record<string, string[]>;
  headers: Record<string, string>;
  body: unknown;
  matched_route: string | null;
  response_status: number | null;
  wire_violations: { kind: string; name: string }[];
}

/** A JSON answer, typed as the test reads it. */
const bodyOf = async <T>(response: Response | Promise<Response>): Promise<T> =>
  (await (await response).json()) as T;

interface Queue {
  scenarios: object[];
  endpoints: string[];
}

/** A client the way SignalWire's harnesses make one: a project of its own, test_tok. */
function harnessClient(server: TestServer) {
  const project = `test_proj_${randomBytes(6).toString("hex")}`;
  const authorization = `Basic ${Buffer.from(`${project}:${HARNESS_TOKEN}`).toString("base64")}`;
  const client = new RestClient({ project, token: HARNESS_TOKEN, host: server.url });
  const raw = (method: string, path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      method,
      headers: { authorization, ...(init.headers as Record<string, string>) },
    });
  const control = (method: string, path: string, body?: string) =>
    fetch(`${server.url}/__mock__${path}`, {
      method,
      ...(body !== undefined && { body, headers: { "content-type": "application/json" } }),
    });
  const journal = () =>
    bodyOf<JournalEntry[]>(
      control("GET", `/journal?session_id=${encodeURIComponent(authorization)}`),
    );
  const pushScenario = (endpointId: string, scenario: object, scoped = true) =>
    control(
      "POST",
      `/scenarios/${endpointId}${scoped ? `?session_id=${encodeURIComponent(authorization)}` : ""}`,
      JSON.stringify(scenario),
    );
  return { project, authorization, client, raw, control, journal, pushScenario };
}

describe("mock mode off", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  test("every /__mock__ path is 404 and /healthz says the mode is standard", async () => {
    for (const path of ["/__mock__/health", "/__mock__/journal", "/__mock__/scenarios"]) {
      expect((await fetch(`${server.url}${path}`)).status, path).toBe(404);
    }
    const reset = await fetch(`${server.url}/__mock__/journal/reset`, { method: "POST" });
    expect(reset.status).toBe(404);
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({
      status: "ok",
      mode: "standard",
    });
  });

  test("a harness project id is not provisioned", async () => {
    const harness = harnessClient(server);
    const response = await harness.raw("GET", `${COMPAT}/${harness.project}/tokens`);
    expect(response.status).toBe(401);
  });
});

describe("mock mode: SignalWire's mock control API beside the real API", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { TOKENSPACE_MOCK: "1" } });
  });
  afterAll(() => server?.close());

  test("/healthz reports mock mode and /__mock__/health counts the specs and routes", async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({
      status: "ok",
      mode: "mock",
    });
    const health = await bodyOf<{ total_routes: number }>(fetch(`${server.url}/__mock__/health`));
    expect(health).toEqual({ status: "ok", specs_loaded: 4, total_routes: expect.any(Number) });
    expect(health.total_routes).toBeGreaterThanOrEqual(20);
  });

  test("README lists every endpoint id the server answers", async () => {
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    const { endpoints } = await bodyOf<Queue>(fetch(`${server.url}/__mock__/scenarios`));
    expect(endpoints.length).toBeGreaterThanOrEqual(20);
    for (const endpoint of endpoints) expect(readme, endpoint).toContain(`\`${endpoint}\``);
  });

  describe("harness credentials", () => {
    test("an unknown project id is provisioned with the token shown, holding every permission", async () => {
      const { client } = harnessClient(server);
      const created = await client.compat.tokens.create({ name: "ci", permissions: ["fax"] });
      expect(created.permissions).toEqual(["fax"]);
      const page = await client.compat.tokens.list();
      expect(page.tokens.map((token) => token.name).sort()).toEqual(["ci", "mock harness"]);
    });

    test("a token created there authenticates, and a different harness token does not", async () => {
      const harness = harnessClient(server);
      const created = await harness.client.compat.tokens.create({
        name: "real",
        permissions: ["management"],
      });
      const asCreated = new RestClient({
        project: harness.project,
        token: created.token,
        host: server.url,
      });
      expect((await asCreated.compat.tokens.list()).tokens.length).toBe(2);
      const impostor = new RestClient({
        project: harness.project,
        token: "other_tok",
        host: server.url,
      });
      await expect(impostor.compat.tokens.list()).rejects.toMatchObject({ statusCode: 401 });
    });
  });

  describe("the journal", () => {
    test("records each request with its query, lower-case headers, parsed body, route and status", async () => {
      const harness = harnessClient(server);
      await harness.raw("POST", `${COMPAT}/${harness.project}/tokens?trace=1&trace=2`, {
        headers: { "Content-Type": "application/json", "X-Custom": "yes" },
        body: JSON.stringify({ name: "journaled", permissions: ["video"] }),
      });
      const [entry] = await harness.journal();
      expect(entry).toEqual({
        timestamp: expect.any(Number),
        method: "POST",
        path: `${COMPAT}/${harness.project}/tokens`,
        query_params: { trace: ["1", "2"] },
        headers: expect.objectContaining({
          authorization: harness.authorization,
          "content-type": "application/json",
          "x-custom": "yes",
        }),
        body: { name: "journaled", permissions: ["video"] },
        matched_route: "compatibility.create_token",
        response_status: 200,
        wire_violations: [{ kind: "unknown_query_param", name: "trace" }],
      });
      expect(Math.abs((entry?.timestamp ?? 0) - Date.now() / 1000)).toBeLessThan(60);
    });

    test("a form body becomes an object whose repeated keys are lists; text stays a string; none is null", async () => {
      const harness = harnessClient(server);
      const tokens = `${COMPAT}/${harness.project}/tokens`;
      await harness.raw("POST", tokens, {
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "name=form&permissions=fax&permissions=video",
      });
      await harness.raw("POST", tokens, { headers: { "content-type": "text/plain" }, body: "hi" });
      await harness.raw("GET", tokens);
      const bodies = (await harness.journal()).map((entry) => entry.body);
      expect(bodies).toEqual([{ name: "form", permissions: ["fax", "video"] }, "hi", null]);
    });

    test("wire violations name unknown body keys and values of the wrong type", async () => {
      const harness = harnessClient(server);
      const response = await harness.raw("POST", `${COMPAT}/${harness.project}/tokens`, {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: 7, permissions: ["fax"], colour: "red" }),
      });
      expect(response.status).toBe(422);
      const [entry] = await harness.journal();
      expect(entry?.response_status).toBe(422);
      expect(entry?.wire_violations).toEqual([
        { kind: "wrong_type", name: "name", expected: "string", actual: "integer" },
        { kind: "unknown_body_key", name: "colour" },
      ]);
    });

    test("a clean request has no violations, and refused requests are journaled with their status", async () => {
      const harness = harnessClient(server);
      await harness.client.compat.tokens.create({ name: "clean", permissions: ["chat"] });
      await fetch(`${server.url}${COMPAT}/${harness.project}/tokens`, {
        headers: { authorization: harness.authorization.replace(/.{4}$/, "AAAA") },
      });
      const all = await bodyOf<JournalEntry[]>(harness.control("GET", "/journal"));
      const mine = (await harness.journal())[0];
      expect(mine?.wire_violations).toEqual([]);
      expect(all.at(-1)).toMatchObject({
        matched_route: "compatibility.list_tokens",
        response_status: 401,
      });
    });

    test("a body over 64 KiB is named by its size, not kept", async () => {
      const harness = harnessClient(server);
      const body = JSON.stringify({ name: "n".repeat(100_000), permissions: ["fax"] });
      await harness.raw("POST", `${COMPAT}/${harness.project}/tokens`, {
        headers: { "content-type": "application/json" },
        body,
      });
      const [entry] = await harness.journal();
      expect(entry?.body).toBe(`[a body of ${body.length} bytes, not kept]`);
    });

    test("session_id keeps one client's entries, and control requests are not journaled", async () => {
      const one = harnessClient(server);
      const two = harnessClient(server);
      await one.client.compat.tokens.list();
      await two.client.compat.tokens.list();
      await one.control("GET", "/scenarios");
      const entries = await one.journal();
      expect(entries).toHaveLength(1);
      expect(entries[0]?.headers.authorization).toBe(one.authorization);
      const all = await bodyOf<JournalEntry[]>(one.control("GET", "/journal"));
      expect(all.some((entry) => entry.path.startsWith("/__mock__"))).toBe(false);
    });

    test("keeps the newest 1 000 entries, oldest first, and reset empties it", async () => {
      const harness = harnessClient(server);
      for (let index = 0; index < 1010; index += 10) {
        await Promise.all(
          Array.from({ length: 10 }, (_, offset) =>
            fetch(`${server.url}/healthz?n=${index + offset}`),
          ),
        );
      }
      const entries = await bodyOf<JournalEntry[]>(harness.control("GET", "/journal"));
      expect(entries).toHaveLength(1000);
      const numbers = entries.map((entry) => Number(entry.query_params.n?.[0]));
      expect(Math.min(...numbers)).toBeGreaterThanOrEqual(10);
      expect(entries.at(-1)?.query_params.n).toEqual(["1009"]);
      expect(await (await harness.control("POST", "/journal/reset")).json()).toEqual({
        status: "ok",
      });
      expect(await (await harness.control("GET", "/journal")).json()).toEqual([]);
    });
  });

  describe("scenarios", () => {
    beforeEach(async () => {
      await fetch(`${server.url}/__mock__/scenarios/reset`, { method: "POST" });
    });

    test("a staged 500 answers the next create through the SDK, and nothing is written", async () => {
      const harness = harnessClient(server);
      const before = (await harness.client.compat.tokens.list()).tokens.length;
      const staged = await harness.pushScenario("compatibility.create_token", {
        status: 500,
        response: { code: "boom", message: "staged failure" },
      });
      expect(staged.status).toBe(200);
      const failed = await harness.client.compat.tokens
        .create({ name: "never", permissions: ["fax"] })
        .catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(RestError);
      expect(failed).toMatchObject({
        statusCode: 500,
        body: { code: "boom", message: "staged failure" },
      });
      expect((await harness.client.compat.tokens.list()).tokens.length).toBe(before);
      const created = (await harness.journal()).find((entry) => entry.method === "POST");
      expect(created).toMatchObject({
        matched_route: "compatibility.create_token",
        response_status: 500,
        body: { name: "never", permissions: ["fax"] },
      });
      const again = await harness.client.compat.tokens.create({
        name: "now",
        permissions: ["fax"],
      });
      expect(again.name).toBe("now");
    });

    test("several scenarios for one endpoint are served in order, each once, with headers and delay", async () => {
      const harness = harnessClient(server);
      await harness.pushScenario("project.delete_token", {
        status: 503,
        response: { errors: [] },
        headers: { "retry-after": "7" },
        delay_ms: 50,
      });
      await harness.pushScenario("project.delete_token", { status: 404, response: null });
      const url = "/api/project/tokens/00000000-0000-7000-8000-000000000000";
      const started = performance.now();
      const first = await harness.raw("DELETE", url);
      expect(performance.now() - started).toBeGreaterThanOrEqual(45);
      expect([first.status, first.headers.get("retry-after")]).toEqual([503, "7"]);
      expect((await harness.raw("DELETE", url)).status).toBe(404);
      expect((await harness.raw("DELETE", url)).status).toBe(404);
      const statuses = (await harness.journal()).map((entry) => entry.response_status);
      expect(statuses).toEqual([503, 404, 404]);
    });

    test("a session's scenario is not served to another client", async () => {
      const owner = harnessClient(server);
      const other = harnessClient(server);
      await owner.pushScenario("compatibility.list_tokens", {
        status: 418,
        response: { teapot: true },
      });
      expect((await other.raw("GET", `${COMPAT}/${other.project}/tokens`)).status).toBe(200);
      expect((await owner.raw("GET", `${COMPAT}/${owner.project}/tokens`)).status).toBe(418);
    });

    test("at most 1 000 scenarios wait at once; the next is refused with 400", async () => {
      const harness = harnessClient(server);
      for (let index = 0; index < 1000; index++) {
        const staged = await harness.pushScenario("project.get_token", { status: 500 }, false);
        expect(staged.status).toBe(200);
      }
      const refused = await harness.pushScenario("project.get_token", { status: 500 }, false);
      expect(refused.status).toBe(400);
      expect((await bodyOf<{ error: string }>(refused)).error).toBe("too_many_scenarios");
    });

    test("GET /__mock__/scenarios lists what is queued, and reset clears it", async () => {
      const harness = harnessClient(server);
      await harness.pushScenario(
        "compatibility.update_token",
        { status: 500, response: {} },
        false,
      );
      const listed = await bodyOf<Queue>(harness.control("GET", "/scenarios"));
      expect(listed.scenarios).toEqual([
        {
          endpoint_id: "compatibility.update_token",
          session_id: null,
          status: 500,
          response: {},
          headers: {},
          delay_ms: 0,
        },
      ]);
      expect(listed.endpoints).toContain("project.create_token");
      expect(await (await harness.control("POST", "/scenarios/reset")).json()).toEqual({
        status: "ok",
      });
      expect((await bodyOf<Queue>(harness.control("GET", "/scenarios"))).scenarios).toEqual([]);
    });

    test("a bad scenario body gets invalid_json, body_must_be_object or invalid_scenario; an unknown id, 404 listing the known", async () => {
      const harness = harnessClient(server);
      const invalid = await harness.control("POST", "/scenarios/project.create_token", "{nope");
      expect([invalid.status, await invalid.json()]).toEqual([400, { error: "invalid_json" }]);
      const array = await harness.control("POST", "/scenarios/project.create_token", "[1]");
      expect([array.status, await array.json()]).toEqual([400, { error: "body_must_be_object" }]);
      for (const scenario of [
        { status: 101 },
        { status: 500, headers: { "bad name": "x" } },
        { status: 500, headers: { "x-split": "a\r\nx-injected: 1" } },
        { status: 500, headers: { "content-length": "1" } },
      ]) {
        const refused = await harness.control(
          "POST",
          "/scenarios/project.create_token",
          JSON.stringify(scenario),
        );
        expect(refused.status, JSON.stringify(scenario)).toBe(400);
        expect((await bodyOf<{ error: string }>(refused)).error).toBe("invalid_scenario");
      }
      const unknown = await harness.control("POST", "/scenarios/project.frobnicate", "{}");
      expect(unknown.status).toBe(404);
      const body = await bodyOf<{ error: string; endpoints: string[] }>(unknown);
      expect(body.error).toBe("unknown_endpoint");
      expect(body.endpoints).toEqual(
        expect.arrayContaining([
          "compatibility.create_token",
          "compatibility.update_token",
          "compatibility.delete_token",
          "project.create_token",
          "project.update_token",
          "project.delete_token",
          "compatibility.list_accounts",
          "auth.verify",
        ]),
      );
    });
  });
});

describe("mock mode: fixtures and the state reset", () => {
  const parent = "1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b";
  const child = "test_proj_fixture_child";
  const opsToken = `PT${"ab".repeat(24)}`;
  const fixtures = {
    projects: [
      {
        id: parent,
        friendly_name: "Acme",
        tokens: [
          {
            id: "9a4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b",
            name: "ops",
            permissions: ["management"],
            token: opsToken,
          },
        ],
        subprojects: [
          {
            id: child,
            friendly_name: "Acme Staging",
            tokens: [{ name: "harness", permissions: ["management", "fax"], token: HARNESS_TOKEN }],
          },
        ],
      },
    ],
  };
  let server: TestServer;
  beforeAll(async () => {
    const directory = mkdtempSync(join(tmpdir(), "tokenspace-fixtures-"));
    const file = join(directory, "fixtures.json");
    writeFileSync(file, JSON.stringify(fixtures));
    server = await startTestServer({
      directory,
      env: {
        TOKENSPACE_MOCK: "1",
        TOKENSPACE_FIXTURES: file,
        TOKENSPACE_BOOTSTRAP_PROJECT_ID: undefined,
        TOKENSPACE_BOOTSTRAP_TOKEN: undefined,
      },
    });
  });
  afterAll(() => server?.close());

  const as = (project: string, token: string) =>
    new RestClient({ project, token, host: server.url });
  const reset = async () =>
    (await fetch(`${server.url}/__mock__/state/reset`, { method: "POST" })).json();

  test("the fixtures' projects and tokens are there at start, with their ids and secrets, and nothing else", async () => {
    const tokens = (await as(parent, opsToken).compat.tokens.list()).tokens;
    expect(tokens).toEqual([
      { id: "9a4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b", name: "ops", permissions: ["management"] },
    ]);
    const accounts = await as(parent, opsToken).compat.accounts.list();
    expect(accounts.accounts.map((account) => account.friendly_name).sort()).toEqual([
      "Acme",
      "Acme Staging",
    ]);
    const childTokens = (await as(child, HARNESS_TOKEN).compat.tokens.list()).tokens;
    expect(childTokens.map((token) => token.name)).toEqual(["harness"]);
  });

  test("the state reset restores exactly the fixtures: what was added goes, what was deleted returns", async () => {
    const admin = as(parent, opsToken);
    const added = await admin.compat.tokens.create({ name: "added", permissions: ["management"] });
    const provisioned = harnessClient(server);
    await provisioned.client.compat.tokens.list();
    await admin.compat.tokens.delete("9a4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b");
    await expect(admin.compat.tokens.list()).rejects.toMatchObject({ statusCode: 401 });

    expect(await reset()).toEqual({ status: "ok", projects: 2, tokens: 2 });

    expect((await admin.compat.tokens.list()).tokens.map((token) => token.name)).toEqual(["ops"]);
    await expect(as(parent, added.token).compat.tokens.list()).rejects.toMatchObject({
      statusCode: 401,
    });
    const audit = await fetch(`${server.url}/api/tokenspace/audit`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${parent}:${opsToken}`).toString("base64")}`,
      },
    });
    const { data } = await bodyOf<{ data: { action: string }[] }>(audit);
    const actions = data.map((entry) => entry.action);
    expect(actions).toEqual(["fixtures.restored"]);
    // A harness project made on first use is gone, and made again on its next request.
    const again = await provisioned.client.compat.tokens.list();
    expect(again.tokens.map((token) => token.name)).toEqual(["mock harness"]);
  });

  test("fixtures need mock mode, and a malformed file stops the start naming the place", async () => {
    const directory = mkdtempSync(join(tmpdir(), "tokenspace-fixtures-bad-"));
    const file = join(directory, "fixtures.json");
    writeFileSync(file, JSON.stringify(fixtures));
    expect(() => loadConfig({ TOKENSPACE_FIXTURES: file })).toThrow(/needs mock mode/);
    const [project] = structuredClone(fixtures).projects;
    const [staging] = project?.subprojects ?? [];
    const [harnessToken] = staging?.tokens ?? [];
    if (!project || !harnessToken) throw new Error("the fixtures lost their subproject token");
    harnessToken.permissions = ["voice"];
    const broken = { projects: [project] };
    writeFileSync(file, JSON.stringify(broken));
    expect(() => loadConfig({ TOKENSPACE_MOCK: "1", TOKENSPACE_FIXTURES: file })).toThrow(
      /projects\[0\]\.subprojects\[0\]\.tokens\[0\]\..*voice/,
    );
  });
});

/** SignalWire's own Node client, over HTTPS, driven the way a team's harness would drive it. */
describe.skipIf(TEST_STORE !== "sqlite")("mock mode under @signalwire/compatibility-api", () => {
  test("a staged 500 for compatibility.create_token reaches SignalWire's client, and the journal shows the call", async () => {
    const directory = mkdtempSync(join(tmpdir(), "tokenspace-mock-tls-"));
    const server = await startTestServer({
      directory,
      env: { TOKENSPACE_MOCK: "1", TOKENSPACE_TLS: "self-signed" },
    });
    try {
      const project = `test_proj_${randomBytes(6).toString("hex")}`;
      const report = await new Promise<{ status: number; body: unknown; journal: JournalEntry[] }>(
        (resolve, reject) => {
          execFile(
            process.execPath,
            [HARNESS_DRIVER],
            {
              env: {
                PATH: process.env.PATH,
                NODE_EXTRA_CA_CERTS: server.server.tls?.caFile ?? "",
                SPACE: new URL(server.url).host,
                PROJECT: project,
                TOKEN: HARNESS_TOKEN,
              },
            },
            (error, stdout, stderr) =>
              error
                ? reject(new Error(`the harness failed: ${stderr}`))
                : resolve(JSON.parse(stdout)),
          );
        },
      );
      expect(report.status).toBe(500);
      expect(report.body).toEqual({ code: 20500, message: "staged by the harness" });
      expect(report.journal.map((entry) => [entry.matched_route, entry.response_status])).toEqual([
        ["compatibility.create_token", 500],
      ]);
    } finally {
      await server.close();
    }
  }, 30_000);
});
