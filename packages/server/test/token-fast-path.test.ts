import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, test, vi } from "vitest";
import { COMPAT } from "./support/compat.js";
import { useTestServer } from "./support/fixtures.js";
import { HttpClient } from "./support/http-client.js";

/**
 * A fetch of one token and a create with a JSON body are answered before the framework for
 * credentials the cache holds (http/token-fast-path.ts). What a client sees of them is what the
 * framework's routes give: the requests the framework still answers (a form body, a `.json`
 * suffix) are the reference.
 */
describe("the Tokens API's hot requests", () => {
  const fixture = useTestServer({ env: { TOKENSPACE_METRICS: "1" } });
  const nativeTokens = "/api/project/tokens";
  const fieldNames = (headers: Headers) => [...headers.keys()].filter((name) => name !== "date");
  /** A counter's value, from the first sample whose labels include every one of `labels`. */
  const metric = async (name: string, ...labels: string[]) => {
    const text = await (await fetch(`${fixture.server.url}/metrics`)).text();
    const sample = text
      .split("\n")
      .find((line) => line.startsWith(`${name}{`) && labels.every((label) => line.includes(label)));
    return Number(sample?.split(" ").at(-1) ?? 0);
  };
  // The credential's first request finds it in the store; from then on the cache holds it.
  beforeAll(() => fixture.http.request("GET", fixture.api.tokens()));

  test("a create with a JSON body answers with the header fields and body shape of a form create", async () => {
    const json = await fixture.http.request("POST", fixture.api.tokens(), {
      json: { name: "json", permissions: ["chat"] },
    });
    const form = await fixture.http.request("POST", fixture.api.tokens(), {
      form: "name=form&permissions=chat",
    });
    expect(json.status).toBe(200);
    expect(form.status).toBe(200);
    expect(fieldNames(json.headers)).toEqual(fieldNames(form.headers));
    expect(json.headers.get("content-type")).toBe(form.headers.get("content-type"));
    expect(Object.keys(json.body)).toEqual(Object.keys(form.body));
    expect(json.body).toMatchObject({ name: "json", permissions: ["chat"] });
  });

  test("a token fetched by its path answers as the same fetch with a .json suffix", async () => {
    const created = await fixture.api.createToken("fetched", ["fax"]);
    const plain = await fixture.http.request("GET", fixture.api.token(created.id));
    const suffixed = await fixture.http.request("GET", `${fixture.api.token(created.id)}.json`);
    expect(plain.status).toBe(200);
    expect(plain.text).toBe(suffixed.text);
    expect(fieldNames(plain.headers)).toEqual(fieldNames(suffixed.headers));
  });

  test("a token fetched on the native surface is the token created there", async () => {
    const created = await fixture.http.request("POST", nativeTokens, {
      json: { name: "native", permissions: ["video"] },
    });
    const fetched = await fixture.http.request("GET", `${nativeTokens}/${created.body.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(created.body);
  });

  test("a JSON create that does not validate gets the surface's 422 and creates nothing", async () => {
    const before = await fixture.http.request("GET", `${nativeTokens}?page_size=1000`);
    const refused = await fixture.http.request("POST", nativeTokens, {
      json: { name: "refused", permissions: ["chat"], colour: "red" },
    });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain("colour");
    const after = await fixture.http.request("GET", `${nativeTokens}?page_size=1000`);
    expect(after.body.data).toHaveLength(before.body.data.length);
  });

  test("a JSON create for a subproject out of reach gets the surface's answer and creates nothing", async () => {
    const before = await fixture.http.request("GET", `${nativeTokens}?page_size=1000`);
    const refused = await fixture.http.request("POST", nativeTokens, {
      json: { name: "elsewhere", permissions: ["chat"], subproject_id: randomUUID() },
    });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain("subproject_id");
    const after = await fixture.http.request("GET", `${nativeTokens}?page_size=1000`);
    expect(after.body.data).toHaveLength(before.body.data.length);
  });

  test("a fetch of a token that does not exist gets the surface's 404", async () => {
    const missing = randomUUID();
    const native = await fixture.http.request("GET", `${nativeTokens}/${missing}`);
    const compat = await fixture.http.request("GET", fixture.api.token(missing));
    expect(native.status).toBe(404);
    expect(compat.status).toBe(404);
    expect(compat.body).toMatchObject({ status: 404 });
    expect(native.text).not.toBe(compat.text);
  });

  test("a token without management gets the framework's 401, its credential read from the cache once a request", async () => {
    const created = await fixture.api.createToken("no management", ["chat"]);
    const as = new HttpClient(fixture.server.url, {
      username: fixture.server.projectId,
      password: created.token,
    });
    const fetchIt = () => as.request("GET", fixture.api.token(created.id));
    const createOne = () =>
      as.request("POST", fixture.api.tokens(), { json: { name: "x", permissions: ["chat"] } });
    // The first request finds the credential in the store, and the cache holds it from then on.
    expect((await fetchIt()).status).toBe(401);
    const hitsBefore = await metric("tokenspace_auth_cache_lookups_total", 'result="hit"');
    for (let attempt = 0; attempt < 3; attempt++) {
      const fetched = await fetchIt();
      expect(fetched.status).toBe(401);
      expect(fetched.text).toContain("management permission");
      expect((await createOne()).status).toBe(401);
    }
    expect(await metric("tokenspace_auth_cache_lookups_total", 'result="hit"')).toBe(
      hitsBefore + 6,
    );
  });

  test("each create and fetch gets its request line, under the request id it was sent with", async () => {
    const requestId = `hot-${randomUUID()}`;
    const created = await fixture.http.request("POST", fixture.api.tokens(), {
      json: { name: "logged", permissions: ["chat"] },
      headers: { "x-request-id": requestId },
    });
    await fixture.http.request("GET", fixture.api.token(created.body.id), {
      headers: { "x-request-id": `${requestId}-get` },
    });
    expect(created.headers.get("x-request-id")).toBe(requestId);
    const lines = () =>
      fixture.server
        .logs()
        .split("\n")
        .filter((line) => line.includes(requestId))
        .map((line) => JSON.parse(line));
    await vi.waitFor(() => expect(lines()).toHaveLength(2), { timeout: 2000 });
    expect(lines()).toEqual([
      expect.objectContaining({
        msg: "request",
        level: 30,
        reqId: requestId,
        method: "POST",
        url: fixture.api.tokens(),
        statusCode: 200,
      }),
      expect.objectContaining({
        reqId: `${requestId}-get`,
        method: "GET",
        url: fixture.api.token(created.body.id),
        statusCode: 200,
      }),
    ]);
  });

  test("creates and fetches are counted under their routes", async () => {
    const collection = `${COMPAT}/Accounts/:AccountSid/tokens`;
    const counted = async () => ({
      creates: await metric(
        "tokenspace_http_requests_total",
        `route="${collection}"`,
        'method="POST"',
        'status="200"',
      ),
      fetches: await metric(
        "tokenspace_http_requests_total",
        `route="${collection}/:token_id"`,
        'method="GET"',
        'status="200"',
      ),
    });
    const before = await counted();
    const created = await fixture.api.createToken("counted", ["chat"]);
    await fixture.http.request("GET", fixture.api.token(created.id));
    await fixture.http.request("GET", fixture.api.token(created.id));
    expect(await counted()).toEqual({
      creates: before.creates + 1,
      fetches: before.fetches + 2,
    });
  });
});
