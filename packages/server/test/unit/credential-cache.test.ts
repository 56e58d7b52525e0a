import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { loadConfig } from "../../src/config.js";
import { generateSecret } from "../../src/domain/token-secret.js";
import { openTokenspace, type Tokenspace } from "../../src/tokenspace.js";

let directory: string;
let tokenspace: Tokenspace;
let projectId: string;

beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), "tokenspace-cache-"));
  tokenspace = await openTokenspace(
    loadConfig({
      DATABASE_URL: `sqlite:${join(directory, "tokenspace.db")}`,
      TOKENSPACE_SECRET_KEY: randomBytes(32).toString("hex"),
      TOKENSPACE_AUTH_CACHE_TTL_MS: "3600000",
    }),
  );
  projectId = (await tokenspace.projects.create("Cache", randomUUID())).project.id;
});
afterEach(async () => {
  await tokenspace.close();
  rmSync(directory, { recursive: true, force: true });
});

const authenticates = (secret: string) =>
  tokenspace.authenticator.authenticate(projectId, secret).then(
    () => true,
    () => false,
  );

test("a secret refused once authenticates as soon as a token is created with it", async () => {
  const chosen = generateSecret();
  expect(await authenticates(chosen)).toBe(false);

  await tokenspace.tokens.create(
    projectId,
    { name: "chosen", permissions: ["chat"] },
    { secret: chosen },
  );

  expect(await authenticates(chosen)).toBe(true);
});

test("a secret refused once authenticates as soon as it is imported", async () => {
  const chosen = generateSecret();
  expect(await authenticates(chosen)).toBe(false);

  await tokenspace.tokens.importTokens(projectId, [
    { name: "imported", permissions: ["chat"], secret: chosen },
  ]);

  expect(await authenticates(chosen)).toBe(true);
});

test("a token read from memory shows an update at once", async () => {
  const created = await tokenspace.tokens.create(projectId, { name: "a", permissions: ["chat"] });
  expect((await tokenspace.tokens.get(projectId, created.id)).name).toBe("a");

  await tokenspace.tokens.update(projectId, created.id, { name: "b" });

  expect((await tokenspace.tokens.get(projectId, created.id)).name).toBe("b");
});

test("a token read from memory is not found once deleted", async () => {
  const created = await tokenspace.tokens.create(projectId, { name: "a", permissions: ["chat"] });
  await tokenspace.tokens.get(projectId, created.id);

  await tokenspace.tokens.delete(projectId, created.id);

  await expect(tokenspace.tokens.get(projectId, created.id)).rejects.toThrow(/No API token/);
});

test("a token read from memory is not shown to another project", async () => {
  const other = (await tokenspace.projects.create("Other", randomUUID())).project.id;
  const created = await tokenspace.tokens.create(projectId, { name: "a", permissions: ["chat"] });
  await tokenspace.tokens.get(projectId, created.id);

  await expect(tokenspace.tokens.get(other, created.id)).rejects.toThrow(/No API token/);
});
