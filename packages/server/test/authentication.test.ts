import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { useTestServer } from "./support/fixtures.js";
import { newSecret, startTestServer } from "./support/test-server.js";

describe("authentication on the compatibility surface", () => {
  const fixture = useTestServer();

  const withHeader = (authorization: string | undefined) =>
    fixture.api.http.request("GET", fixture.api.tokens(), {
      auth: null,
      headers: authorization === undefined ? {} : { authorization },
    });
  const base64 = (text: string) => Buffer.from(text).toString("base64");

  const refused: Array<[string, string | undefined]> = [
    ["no Authorization header", undefined],
    ["an empty header", ""],
    ["the Bearer scheme", "Bearer abc"],
    ["Basic with nothing after it", "Basic"],
    ["Basic with invalid base64", "Basic %%%not-base64%%%"],
    ["Basic with base64 of the wrong length", "Basic abc"],
    ["credentials without a colon", `Basic ${base64("no-colon-here")}`],
    ["an empty project id", `Basic ${base64(`:${newSecret()}`)}`],
    ["an empty token", `Basic ${base64(`${randomUUID()}:`)}`],
    ["a token that is not PT + 48 hex", `Basic ${base64(`${randomUUID()}:secret`)}`],
    ["an unknown token", `Basic ${base64(`${randomUUID()}:${newSecret()}`)}`],
    [
      "invalid UTF-8 in the credentials",
      `Basic ${Buffer.from([0xff, 0xfe, 0x3a, 0xff]).toString("base64")}`,
    ],
  ];

  test("a page script's refused request (X-Requested-With) is a 401 without a Basic challenge, so no browser dialog opens", async () => {
    const response = await fixture.api.http.request("GET", fixture.api.tokens(), {
      auth: null,
      headers: {
        authorization: `Basic ${base64(`${randomUUID()}:${newSecret()}`)}`,
        "x-requested-with": "XMLHttpRequest",
      },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBeNull();
    expect(response.body.code).toBe(20003);
  });

  test.each(refused)("%s is a 401 with a Basic challenge", async (_case, header) => {
    const response = await withHeader(header);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Basic realm="Tokenspace"');
    expect(response.body).toEqual({
      code: 20003,
      message: expect.any(String),
      more_info: expect.any(String),
      status: 401,
    });
  });

  test("the right token under another project id is a 401", async () => {
    const response = await withHeader(`Basic ${base64(`${randomUUID()}:${fixture.server.token}`)}`);
    expect(response.status).toBe(401);
  });

  test("the scheme name is case-insensitive", async () => {
    const response = await withHeader(
      `basic ${base64(`${fixture.server.projectId}:${fixture.server.token}`)}`,
    );
    expect(response.status).toBe(200);
  });

  test("the project id is accepted in upper case", async () => {
    const response = await withHeader(
      `Basic ${base64(`${fixture.server.projectId.toUpperCase()}:${fixture.server.token}`)}`,
    );
    expect(response.status).toBe(200);
  });

  test("a valid token without management is a 401 that names the missing permission", async () => {
    const limited = await fixture.api.createToken("limited", ["calling", "messaging"]);
    const response = await fixture.api.http
      .withCredentials(fixture.server.projectId, limited.token)
      .request("POST", fixture.api.tokens(), { json: { name: "x", permissions: ["chat"] } });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Basic realm="Tokenspace"');
    expect(response.body.message).toContain("management permission");
  });

  test("a refused request creates nothing", async () => {
    const before = (await fixture.api.http.request("GET", `${fixture.api.tokens()}?PageSize=1000`))
      .body.tokens.length;
    const limited = await fixture.api.createToken("limited", ["chat"]);
    await fixture.api.http
      .withCredentials(fixture.server.projectId, limited.token)
      .request("POST", fixture.api.tokens(), { json: { name: "x", permissions: ["chat"] } });
    const after = (await fixture.api.http.request("GET", `${fixture.api.tokens()}?PageSize=1000`))
      .body.tokens.length;
    expect(after).toBe(before + 1);
  });

  test("an AccountSid other than the authenticated project is a 404", async () => {
    const response = await fixture.api.http.request("GET", fixture.api.tokens(randomUUID()));
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ code: 20404, status: 404 });
  });

  test("a token of another project cannot reach this project's tokens", async () => {
    const other = await startTestServer({
      directory: fixture.server.directory,
      database: fixture.server.database,
    });
    try {
      const response = await fixture.api.http
        .withCredentials(other.projectId, other.token)
        .request("GET", fixture.api.tokens());
      expect(response.status).toBe(404);
    } finally {
      await other.server.close();
    }
  });

  test("every response carries a request id, and an offered one is echoed", async () => {
    const response = await fixture.api.http.request("GET", fixture.api.tokens(), {
      headers: { "x-request-id": "trace-123" },
    });
    expect(response.headers.get("x-request-id")).toBe("trace-123");
    const generated = await withHeader(undefined);
    expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});
