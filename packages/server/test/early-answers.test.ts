import { Agent, request } from "node:http";
import { RestClient, RestError } from "@tokenspace/sdk";
import { afterAll, describe, expect, test } from "vitest";
import { COMPAT } from "./support/compat.js";
import { useTestServer } from "./support/fixtures.js";

const TWO_MIB = 2 * 1024 * 1024;

/** Answers sent before the body has arrived reach the client: no connection resets. */
describe("every refusal reaches the client", () => {
  const fixture = useTestServer();
  const tokens = () => `${fixture.server.url}${COMPAT}/Accounts/${fixture.server.projectId}/tokens`;
  const authorization = () =>
    `Basic ${Buffer.from(`${fixture.server.projectId}:${fixture.server.token}`).toString("base64")}`;

  test("200 creates with a 2 MiB body sent by fetch all read their 413", async () => {
    const body = JSON.stringify({ name: "x", permissions: ["fax"], pad: "a".repeat(TWO_MIB) });
    const outcomes: string[] = [];
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          try {
            const response = await fetch(tokens(), {
              method: "POST",
              headers: { authorization: authorization(), "content-type": "application/json" },
              body,
            });
            await response.text();
            outcomes.push(`${response.status} ${response.headers.get("connection")}`);
          } catch (error) {
            outcomes.push(`failed: ${(error as Error).cause ?? error}`);
          }
        }),
      );
    }
    expect(new Set(outcomes)).toEqual(new Set(["413 close"]));
    expect(outcomes).toHaveLength(200);
  });

  test("200 creates with a 2 MiB name through the SDK all raise its HTTP error, 413", async () => {
    const client = new RestClient({
      project: fixture.server.projectId,
      token: fixture.server.token,
      host: fixture.server.url,
    });
    const name = "n".repeat(TWO_MIB);
    const outcomes: string[] = [];
    for (let index = 0; index < 200; index++) {
      const error = await client.compat.tokens
        .create({ name, permissions: ["fax"] })
        .catch((failure: unknown) => failure);
      outcomes.push(
        error instanceof RestError ? `RestError ${error.statusCode}` : `other: ${String(error)}`,
      );
    }
    expect(new Set(outcomes)).toEqual(new Set(["RestError 413"]));
  });

  describe("a keep-alive client", () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    afterAll(() => agent.destroy());

    /** One request on the shared connection: its status, or the error that ended it. */
    const call = (
      method: string,
      path: string,
      headers: Record<string, string>,
      body?: string,
    ): Promise<number> =>
      new Promise((resolve, reject) => {
        const outgoing = request(
          `${fixture.server.url}${path}`,
          {
            method,
            agent,
            headers: {
              ...headers,
              ...(body !== undefined && { "content-length": Buffer.byteLength(body) }),
            },
          },
          (response) => {
            response.resume();
            response.on("end", () => resolve(response.statusCode ?? 0));
            response.on("error", reject);
          },
        );
        outgoing.on("error", reject);
        outgoing.end(body);
      });

    test("sees no reset after any refusal, and the next request on its connection succeeds", async () => {
      const auth = { authorization: authorization() };
      const json = { ...auth, "content-type": "application/json" };
      const path = `${COMPAT}/Accounts/${fixture.server.projectId}/tokens`;
      const refusals: [number, () => Promise<number>][] = [
        [400, () => call("POST", path, json, "{")],
        [401, () => call("GET", path, { authorization: "Basic Zm9vOmJhcg==" })],
        [404, () => call("GET", `${path}/00000000-0000-7000-8000-000000000000`, auth)],
        [404, () => call("GET", "/nowhere", auth)],
        [200, () => call("HEAD", path, auth)],
        [415, () => call("POST", path, { ...auth, "content-type": "text/plain" }, "x")],
        [422, () => call("POST", path, json, '{"name":7}')],
        [413, () => call("POST", path, json, JSON.stringify({ pad: "a".repeat(TWO_MIB) }))],
      ];
      for (let round = 0; round < 25; round++) {
        for (const [expected, refusal] of refusals) {
          expect(await refusal()).toBe(expected);
          expect(await call("GET", path, auth)).toBe(200);
        }
      }
    });
  });
});
