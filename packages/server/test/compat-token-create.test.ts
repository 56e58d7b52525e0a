import { describe, expect, test } from "vitest";
import { useTestServer } from "./support/fixtures.js";

describe("POST /Accounts/{AccountSid}/tokens", () => {
  const fixture = useTestServer();

  const create = (options: Parameters<typeof fixture.api.http.request>[2]) =>
    fixture.api.http.request("POST", fixture.api.tokens(), options);

  test("a form body accepts permissions[] keys as a list", async () => {
    const response = await create({ form: "name=a&permissions[]=fax&permissions[]=chat" });
    expect(response.status).toBe(200);
    expect(response.body.permissions).toEqual(["chat", "fax"]);
  });

  test("a form body accepts a single permissions key as a list of one", async () => {
    const response = await create({ form: "name=a&permissions=video" });
    expect(response.status).toBe(200);
    expect(response.body.permissions).toEqual(["video"]);
  });

  test("permissions come back deduplicated in canonical order", async () => {
    const response = await create({
      json: { name: "a", permissions: ["video", "calling", "video", "management"] },
    });
    expect(response.body.permissions).toEqual(["calling", "management", "video"]);
  });

  test("a trailing .json on the path is accepted", async () => {
    const response = await fixture.api.http.request("POST", `${fixture.api.tokens()}.json`, {
      json: { name: "a", permissions: ["fax"] },
    });
    expect(response.status).toBe(200);
  });

  test("names are kept exactly as sent, Unicode and surrounding spaces included", async () => {
    const name = "  Équipe 東京 🚀 ";
    const response = await create({ json: { name, permissions: ["chat"] } });
    expect(response.status).toBe(200);
    expect(response.body.name).toBe(name);
  });

  test("a name of 255 characters is accepted, counting code points", async () => {
    const response = await create({ json: { name: "🚀".repeat(255), permissions: ["chat"] } });
    expect(response.status).toBe(200);
  });

  test("a name of 256 characters is a 422 on name", async () => {
    const response = await create({ json: { name: "x".repeat(256), permissions: ["chat"] } });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: "invalid_parameter", attribute: "name" });
    expect(response.body.message).toContain("1 to 255 characters");
  });

  test("an empty name is a 422 on name", async () => {
    const response = await create({ json: { name: "", permissions: ["chat"] } });
    expect(response.status).toBe(422);
    expect(response.body.attribute).toBe("name");
  });

  test("a missing name is a 422 missing_required_parameter", async () => {
    const response = await create({ json: { permissions: ["chat"] } });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      type: "validation_error",
      code: "missing_required_parameter",
      attribute: "name",
    });
  });

  test("missing permissions is a 422 missing_required_parameter", async () => {
    const response = await create({ json: { name: "a" } });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      code: "missing_required_parameter",
      attribute: "permissions",
    });
  });

  test("an empty permissions list is a 422 that lists the valid permissions", async () => {
    const response = await create({ json: { name: "a", permissions: [] } });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      code: "invalid_auth_token_permissions",
      attribute: "permissions",
    });
    expect(response.body.message).toContain("calling, chat, datasphere");
  });

  test("permissions as a JSON string instead of a list is a 422", async () => {
    const response = await create({ json: { name: "a", permissions: "calling" } });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: "invalid_parameter", attribute: "permissions" });
  });

  test("a name that is not a string is a 422 on name", async () => {
    const response = await create({ json: { name: 42, permissions: ["chat"] } });
    expect(response.status).toBe(422);
    expect(response.body.attribute).toBe("name");
  });

  test("an unknown field is a 422 that names it and the accepted fields", async () => {
    const response = await create({ json: { Name: "a", name: "a", permissions: ["chat"] } });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: "invalid_parameter", attribute: "Name" });
    expect(response.body.message).toContain("name, permissions, subproject_id");
  });

  test("an unknown form field is a 422 too", async () => {
    const response = await create({ form: "name=a&permissions=chat&permission=fax" });
    expect(response.status).toBe(422);
    expect(response.body.attribute).toBe("permission");
  });

  test("a subproject_id that is not a subproject of the project is a 422 on subproject_id", async () => {
    const response = await create({
      json: { name: "a", permissions: ["chat"], subproject_id: fixture.server.projectId },
    });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      code: "invalid_subproject_id",
      attribute: "subproject_id",
    });
  });

  test("a created token authenticates on the very next request", async () => {
    const created = await fixture.api.createToken("fresh", ["management"]);
    const response = await fixture.api.http
      .withCredentials(fixture.server.projectId, created.token)
      .request("GET", fixture.api.token(created.id));
    expect(response.status).toBe(200);
    expect(response.body.token).toBe(created.token);
  });

  test("every created token gets its own id and secret", async () => {
    const first = await fixture.api.createToken("same", ["chat"]);
    const second = await fixture.api.createToken("same", ["chat"]);
    expect(first.id).not.toBe(second.id);
    expect(first.token).not.toBe(second.token);
  });
});
