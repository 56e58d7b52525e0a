import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { generateSecret } from "../../src/domain/token-secret.js";
import { loadConfig } from "../../src/runtime/config.js";
import { Metrics } from "../../src/runtime/metrics.js";
import { openTokenspace, type Tokenspace } from "../../src/runtime/tokenspace.js";

let directory: string;
let tokenspace: Tokenspace;
let projectId: string;
let secretKey: string;
let metrics: Metrics;

beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), "tokenspace-cache-"));
  secretKey = randomBytes(32).toString("hex");
  metrics = new Metrics();
  tokenspace = await openTokenspace(
    loadConfig({
      DATABASE_URL: `sqlite:${join(directory, "tokenspace.db")}`,
      TOKENSPACE_SECRET_KEY: secretKey,
      TOKENSPACE_AUTH_CACHE_TTL_MS: "3600000",
    }),
    { metrics },
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

describe("a check for a write, on SQLite", () => {
  let elsewhere: Tokenspace;
  beforeEach(async () => {
    // A second connection to the same file, as the CLI opens beside a running server.
    elsewhere = await openTokenspace(
      loadConfig({
        DATABASE_URL: `sqlite:${join(directory, "tokenspace.db")}`,
        TOKENSPACE_SECRET_KEY: secretKey,
      }),
    );
  });
  afterEach(() => elsewhere.close());

  const authenticatesForWrite = (secret: string) =>
    tokenspace.authenticator.verify(projectId, secret, { fresh: true });
  const cacheHits = async () =>
    (await metrics.authCacheLookups.get()).values.find((value) => value.labels.result === "hit")
      ?.value ?? 0;

  test("is answered from memory while no other process has written", async () => {
    const created = await tokenspace.tokens.create(projectId, { name: "a", permissions: ["chat"] });
    await authenticatesForWrite(created.token);
    const before = await cacheHits();

    expect(await authenticatesForWrite(created.token)).toBeDefined();

    expect(await cacheHits()).toBe(before + 1);
  });

  test("refuses a cached token another process deleted, at once", async () => {
    const created = await tokenspace.tokens.create(projectId, { name: "a", permissions: ["chat"] });
    expect(await authenticatesForWrite(created.token)).toBeDefined();

    await elsewhere.tokens.delete(projectId, created.id);

    expect(await authenticatesForWrite(created.token)).toBeUndefined();
  });

  test("sees the permissions another process took from a cached token, at once", async () => {
    const created = await tokenspace.tokens.create(projectId, {
      name: "a",
      permissions: ["chat", "management"],
    });
    expect((await authenticatesForWrite(created.token))?.permissions.has("management")).toBe(true);

    await elsewhere.tokens.update(projectId, created.id, { permissions: ["chat"] });

    expect((await authenticatesForWrite(created.token))?.permissions.has("management")).toBe(false);
  });

  test("finds a token another process created with a secret refused before, at once", async () => {
    const chosen = generateSecret();
    expect(await authenticatesForWrite(chosen)).toBeUndefined();

    await elsewhere.tokens.create(
      projectId,
      { name: "chosen", permissions: ["chat"] },
      { secret: chosen },
    );

    expect(await authenticatesForWrite(chosen)).toBeDefined();
  });
});
