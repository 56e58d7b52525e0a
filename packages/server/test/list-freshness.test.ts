import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { compatClient } from "./support/compat.js";
import { TEST_STORE } from "./support/test-database.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

/**
 * A list page is served again from memory while its project's token list is unchanged; these
 * tests hold that no change, wherever it is made, is ever missed by the next page.
 */
describe("a token list page shows every change made before it was asked for", () => {
  let serverA: TestServer;
  let serverB: TestServer;
  let onA: ReturnType<typeof compatClient>;
  let onB: ReturnType<typeof compatClient>;

  beforeAll(async () => {
    serverA = await startTestServer();
    // A second server on the same store: another node, or another worker on the same file.
    serverB = await startTestServer({
      database: serverA.database,
      credentials: { projectId: serverA.projectId, token: serverA.token },
    });
    onA = compatClient(serverA);
    onB = compatClient(serverB);
  });
  afterAll(async () => {
    await serverB?.close();
    await serverA?.close();
  });

  const namesOnA = async () => {
    const response = await onA.http.request("GET", `${onA.tokens()}?PageSize=1000`);
    expect(response.status).toBe(200);
    return (response.body.tokens as { name: string }[]).map((token) => token.name);
  };

  beforeEach(async () => {
    // The page is read twice, so the one under test is the page as held, not a first read.
    await namesOnA();
    await namesOnA();
  });

  test("a token created through this server is on the next page", async () => {
    await onA.createToken("made on A", ["chat"]);
    expect(await namesOnA()).toContain("made on A");
  });

  test("a token created through another server on the same store is on the next page", async () => {
    await onB.createToken("made on B", ["chat"]);
    expect(await namesOnA()).toContain("made on B");
  });

  test("a token renamed through another server shows its new name on the next page", async () => {
    const token = await onA.createToken("before the rename", ["chat"]);
    await namesOnA();
    const renamed = await onB.http.request("PATCH", onB.token(token.id), {
      json: { name: "after the rename" },
    });
    expect(renamed.status).toBe(200);
    const names = await namesOnA();
    expect(names).toContain("after the rename");
    expect(names).not.toContain("before the rename");
  });

  test("new permissions given through another server are on the next page", async () => {
    const token = await onA.createToken("permissions change", ["chat"]);
    await namesOnA();
    await onB.http.request("PATCH", onB.token(token.id), { json: { permissions: ["fax"] } });
    const page = await onA.http.request("GET", `${onA.tokens()}?PageSize=1000`);
    const listed = (page.body.tokens as { id: string; permissions: string[] }[]).find(
      (item) => item.id === token.id,
    );
    expect(listed?.permissions).toEqual(["fax"]);
  });

  test("a token deleted through another server is gone from the next page", async () => {
    const token = await onA.createToken("deleted on B", ["chat"]);
    expect(await namesOnA()).toContain("deleted on B");
    expect((await onB.http.request("DELETE", onB.token(token.id))).status).toBe(204);
    expect(await namesOnA()).not.toContain("deleted on B");
  });

  test("a token inserted by a statement typed into the database is on the next page", async () => {
    const model = await onA.createToken("model for the insert", ["chat"]);
    await namesOnA();
    const newDigest = TEST_STORE === "sqlite" ? "randomblob(38)" : "gen_random_uuid()::text::bytea";
    await serverA.database.execute(
      `INSERT INTO tokens (id, project_id, name, permissions, secret_digest, sealed_secret,
         created_at, updated_at)
       SELECT '${randomUUID()}', project_id, 'inserted by hand', permissions, ${newDigest},
         sealed_secret, created_at, updated_at
       FROM tokens WHERE id = '${model.id}'`,
    );
    expect(await namesOnA()).toContain("inserted by hand");
  });

  test("a name changed by a statement typed into the database is on the next page", async () => {
    const token = await onA.createToken("before the statement", ["chat"]);
    await namesOnA();
    await serverA.database.execute(
      `UPDATE tokens SET name = 'changed by hand' WHERE id = '${token.id}'`,
    );
    expect(await namesOnA()).toContain("changed by hand");
  });

  test("a token deleted by a statement typed into the database is gone from the next page", async () => {
    const token = await onA.createToken("deleted by hand", ["chat"]);
    expect(await namesOnA()).toContain("deleted by hand");
    await serverA.database.execute(`DELETE FROM tokens WHERE id = '${token.id}'`);
    expect(await namesOnA()).not.toContain("deleted by hand");
  });

  test("a token deleted through another server is gone from a later page too", async () => {
    await onA.createToken("on the second page", ["chat"]);
    const first = await onA.http.request("GET", `${onA.tokens()}?PageSize=1`);
    const second = first.body.next_page_uri as string;
    const shown = (await onA.http.request("GET", second)).body.tokens[0] as { id: string };
    await onA.http.request("GET", second);
    expect((await onB.http.request("DELETE", onB.token(shown.id))).status).toBe(204);
    const again = await onA.http.request("GET", second);
    expect(again.body.tokens.map((token: { id: string }) => token.id)).not.toContain(shown.id);
  });
});
