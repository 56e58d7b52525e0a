import { describe, expect, test } from "vitest";
import { PERMISSIONS } from "../src/domain/permissions.js";
import { useTestServer } from "./support/fixtures.js";

describe("/healthz and /openapi.json", () => {
  const fixture = useTestServer();

  test("healthz answers 200 without credentials when the store answers", async () => {
    const response = await fixture.http.request("GET", "/healthz", { auth: null });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: "ok", mode: "standard" });
  });

  test("the OpenAPI document lists every token operation of the compatibility surface", async () => {
    const response = await fixture.http.request("GET", "/openapi.json", { auth: null });
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe("3.1.0");
    const paths = response.body.paths;
    const collection = paths["/api/laml/2010-04-01/Accounts/{AccountSid}/tokens"];
    const item = paths["/api/laml/2010-04-01/Accounts/{AccountSid}/tokens/{token_id}"];
    expect(Object.keys(collection).sort()).toEqual(["get", "post"]);
    expect(Object.keys(item).sort()).toEqual(["delete", "get", "patch"]);
  });

  test("the OpenAPI document lists the accounts and the native token operations", async () => {
    const { body } = await fixture.http.request("GET", "/openapi.json", { auth: null });
    const methods = (path: string) => Object.keys(body.paths[path] ?? {}).sort();
    expect(methods("/api/laml/2010-04-01/Accounts")).toEqual(["get", "post"]);
    expect(methods("/api/laml/2010-04-01/Accounts/{Sid}")).toEqual(["get", "post"]);
    expect(methods("/api/project/tokens")).toEqual(["get", "post"]);
    expect(methods("/api/project/tokens/{token_id}")).toEqual(["delete", "get", "patch"]);
  });

  test("the OpenAPI document describes the extension surface beside SignalWire's", async () => {
    const { body } = await fixture.http.request("GET", "/openapi.json", { auth: null });
    const methods = (path: string) => Object.keys(body.paths[path] ?? {}).sort();
    expect(methods("/api/tokenspace/tokens")).toEqual(["get", "post"]);
    expect(methods("/api/tokenspace/tokens/{token_id}")).toEqual(["delete", "get", "patch"]);
    expect(methods("/api/tokenspace/tokens/{token_id}/reroll")).toEqual(["post"]);
    expect(methods("/api/tokenspace/audit")).toEqual(["get"]);
    const managed =
      body.paths["/api/tokenspace/tokens/{token_id}"].get.responses["200"].content[
        "application/json"
      ].schema;
    expect(Object.keys(managed.properties)).toEqual(
      expect.arrayContaining(["enabled", "expires_at", "last_used_at", "created_at", "updated_at"]),
    );
  });

  test("the OpenAPI schemas come from the same permission list the server enforces", async () => {
    const { body } = await fixture.http.request("GET", "/openapi.json", { auth: null });
    const create = body.paths["/api/laml/2010-04-01/Accounts/{AccountSid}/tokens"].post;
    const schema = create.requestBody.content["application/json"].schema;
    expect(schema.required).toEqual(["name", "permissions"]);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.permissions.items.enum).toEqual([...PERMISSIONS]);
    expect(
      create.responses["422"].content["application/json"].schema.properties.code.enum,
    ).toContain("invalid_auth_token_permissions");
  });

  test("an unknown path outside the APIs is a JSON 404", async () => {
    const response = await fixture.http.request("GET", "/nope", { auth: null });
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: expect.stringContaining("/nope") });
  });
});
