import { describe, expect, test } from "vitest";
import { useTestServer } from "./support/fixtures.js";

/** The examples of the SignalWire reference pages in ../shared/seeds, sent verbatim. */
describe("the reference pages' examples", () => {
  const fixture = useTestServer();

  test("the form-encoded curl create returns the token with its secret", async () => {
    // curl -X POST .../tokens -H "Content-Type: application/x-www-form-urlencoded"
    //   -d "name=John%20Doe's%20Token" -d "permissions=calling" -d "permissions=fax" -d "permissions=messaging"
    const form = [
      "name=John%20Doe's%20Token",
      "permissions=calling",
      "permissions=fax",
      "permissions=messaging",
    ].join("&");
    const response = await fixture.api.http.request("POST", fixture.api.tokens(), { form });

    expect(response.status).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(["id", "name", "permissions", "token"]);
    expect(response.body).toMatchObject({
      name: "John Doe's Token",
      permissions: ["calling", "fax", "messaging"],
    });
    expect(response.body.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(response.body.token).toMatch(/^PT[0-9a-f]{48}$/);
  });

  test("the SDK's JSON create with the voice permission is a 422 that suggests calling", async () => {
    // client.compat.tokens.create({ name: "my-token", permissions: ["voice", "messaging"] })
    const response = await fixture.api.http.request("POST", fixture.api.tokens(), {
      json: { name: "my-token", permissions: ["voice", "messaging"] },
    });

    expect(response.status).toBe(422);
    expect(response.body).toEqual({
      type: "validation_error",
      code: "invalid_auth_token_permissions",
      attribute: "permissions",
      message: expect.stringContaining('"voice" is not a valid permission'),
      url: expect.any(String),
    });
    expect(response.body.message).toContain(
      "calling, chat, datasphere, fax, management, messaging, numbers, pubsub, storage, tasking, video",
    );
    expect(response.body.message).toContain('Did you mean "calling"?');
  });

  test("the SDK's JSON create with valid permissions succeeds", async () => {
    const response = await fixture.api.http.request("POST", fixture.api.tokens(), {
      json: { name: "my-token", permissions: ["calling", "messaging"] },
    });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      name: "my-token",
      permissions: ["calling", "messaging"],
    });
  });

  test("the SDK's JSON update renames the token and keeps its permissions and secret", async () => {
    const created = await fixture.api.createToken("my-token", ["calling", "messaging"]);
    // client.compat.tokens.update("token-id", { name: "updated-token" })
    const response = await fixture.api.http.request("PATCH", fixture.api.token(created.id), {
      json: { name: "updated-token" },
    });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: created.id,
      name: "updated-token",
      permissions: ["calling", "messaging"],
      token: created.token,
    });
  });

  test("the curl update with an empty JSON object changes nothing and returns the token", async () => {
    const created = await fixture.api.createToken("John Doe's Token", [
      "calling",
      "fax",
      "messaging",
    ]);
    // curl -X PATCH .../tokens/token_id -H "Content-Type: application/json" -d '{}'
    const response = await fixture.api.http.request("PATCH", fixture.api.token(created.id), {
      json: {},
    });

    expect(response.status).toBe(200);
    expect(response.body).toEqual(created);
  });
});
