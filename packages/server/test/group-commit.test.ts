import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { StoreConflictError } from "../src/domain/errors.js";
import type { NewAuditRecord, NewTokenRecord, Store } from "../src/domain/store.js";
import { loadConfig } from "../src/runtime/config.js";
import { openStore } from "../src/store/open-store.js";
import { auditRecord, projectRecord, tokenRecord } from "./support/store-records.js";
import { createTestDatabase, type TestDatabase } from "./support/test-database.js";

/**
 * Writes made in one turn of the event loop are committed together: on SQLite in one
 * transaction, on PostgreSQL creates, deletes and lookups each in one statement. What each caller sees must be what it
 * would have seen alone.
 */
let directory: string;
let database: TestDatabase;
let store: Store;
const projectId = randomUUID();
const open = async () =>
  (await openStore(database.url, loadConfig({ ...database.env }).postgres)).store;

beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), "tokenspace-group-commit-"));
  database = await createTestDatabase(directory);
  store = await open();
  await store.insertProject(projectRecord(projectId), audited("project.created", projectId));
});
afterEach(async () => {
  await store.close();
  rmSync(directory, { recursive: true, force: true });
});

const audited = (action: NewAuditRecord["action"], targetId: string) =>
  auditRecord(projectId, action, targetId);

/** A new token; with `secretDigest`, one whose secret has that digest (a conflict). */
function newToken(secretDigest?: Buffer): NewTokenRecord {
  const token = tokenRecord(projectId);
  return secretDigest ? { ...token, secretDigest } : token;
}

/** The tokens the audit log says were changed by `action`, sorted. */
async function auditedTargetsOf(action: NewAuditRecord["action"]): Promise<(string | null)[]> {
  const { rows } = await store.listAudit(projectId, { action }, { limit: 50, examine: 50 });
  return rows.map((entry) => entry.targetId).sort();
}

async function storedAfterReopening(ids: string[]): Promise<string[]> {
  await store.close();
  store = await open();
  const found = await Promise.all(ids.map((id) => store.findTokenById(id)));
  return found.flatMap((token) => (token ? [token.id] : []));
}

test("a write that fails rolls back alone; the other writes of its commit are kept", async () => {
  const existing = newToken();
  await store.insertToken(existing, audited("token.created", existing.id));
  const before = newToken();
  const importedFirst = newToken();
  const duplicate = newToken(existing.secretDigest);
  const after = newToken();

  // Called in one turn of the event loop, so all four share one group commit.
  const outcomes = await Promise.allSettled([
    store.insertToken(before, audited("token.created", before.id)),
    store.insertTokens([importedFirst, duplicate], audited("token.imported", projectId)),
    store.insertToken(after, audited("token.created", after.id)),
  ]);

  expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(StoreConflictError);
  expect(await storedAfterReopening([before.id, importedFirst.id, duplicate.id, after.id])).toEqual(
    [before.id, after.id],
  );
});

test("the audit entry of a write that fails is not kept, and those of the others are", async () => {
  const existing = newToken();
  await store.insertToken(existing, audited("token.created", existing.id));
  const kept = newToken();
  const refused = newToken(existing.secretDigest);

  await Promise.allSettled([
    store.insertToken(kept, audited("token.created", kept.id)),
    store.insertToken(refused, audited("token.created", refused.id)),
  ]);

  const { rows } = await store.listAudit(projectId, {}, { limit: 10, examine: 10 });
  expect(rows.map((entry) => entry.targetId)).toEqual([projectId, existing.id, kept.id]);
});

test("writes in one commit are each stored in a place of its own, each with its audit entry", async () => {
  const tokens = Array.from({ length: 20 }, () => newToken());

  await Promise.all(
    tokens.map((token) => store.insertToken(token, audited("token.created", token.id))),
  );

  const stored = await Promise.all(tokens.map((token) => store.findTokenById(token.id)));
  expect(stored.map((token) => token?.id)).toEqual(tokens.map((token) => token.id));
  expect(new Set(stored.map((token) => token?.position)).size).toBe(tokens.length);
  const { rows } = await store.listAudit(projectId, {}, { limit: 50, examine: 50 });
  expect(rows.map((entry) => entry.targetId)).toEqual([
    projectId,
    ...tokens.map((token) => token.id),
  ]);
});

test("lookups made together each find their own token by either form of its digest, or none", async () => {
  const tokens = Array.from({ length: 3 }, () => newToken());
  await store.insertTokens(tokens, audited("token.imported", projectId));
  const [first, second, third] = tokens.map((token) => token.secretDigest) as [
    Buffer,
    Buffer,
    Buffer,
  ];
  const unknown = () => randomBytes(32);

  const found = await Promise.all(
    [
      { timeLed: first, plain: unknown() },
      { timeLed: unknown(), plain: unknown() },
      { timeLed: unknown(), plain: second },
      { timeLed: first, plain: unknown() },
      { timeLed: third, plain: unknown() },
    ].map((digests) => store.findTokenByDigests(digests)),
  );

  expect(found.map((token) => token?.id)).toEqual([
    tokens[0]?.id,
    undefined,
    tokens[1]?.id,
    tokens[0]?.id,
    tokens[2]?.id,
  ]);
});

test("deletes made together each delete their own token with its own audit entry, and a token deleted twice at once is deleted once", async () => {
  const tokens = Array.from({ length: 3 }, () => newToken());
  await store.insertTokens(tokens, audited("token.imported", projectId));
  const [first, second, third] = tokens.map((token) => token.id) as [string, string, string];

  const deleted = await Promise.all(
    [first, second, randomUUID(), third, third].map((id) =>
      store.deleteToken(projectId, id, audited("token.deleted", id)),
    ),
  );

  expect(deleted.slice(0, 3).map((token) => token?.id)).toEqual([first, second, undefined]);
  expect(
    deleted
      .slice(3)
      .map((token) => token?.id)
      .sort(),
  ).toEqual([third, undefined]);
  expect(await storedAfterReopening([first, second, third])).toEqual([]);
  expect(await auditedTargetsOf("token.deleted")).toEqual([first, second, third].sort());
});

test("updates made together each change their own token with its own audit entry, and keep what they were not given", async () => {
  const tokens = Array.from({ length: 3 }, () => newToken()).map((token) => ({
    ...token,
    rateLimit: { limit: 10, windowMs: 60_000 },
  }));
  await store.insertTokens(tokens, audited("token.imported", projectId));
  const [first, second, third] = tokens.map((token) => token.id) as [string, string, string];
  const expiresAt = new Date(Date.now() + 3_600_000);
  const updatedAt = new Date();

  const updated = await Promise.all([
    store.updateToken(
      projectId,
      first,
      { name: "first", updatedAt },
      audited("token.updated", first),
    ),
    store.updateToken(
      projectId,
      second,
      { permissions: ["fax", "video"], expiresAt, updatedAt },
      audited("token.updated", second),
    ),
    store.updateToken(
      projectId,
      randomUUID(),
      { name: "nobody", updatedAt },
      audited("token.updated", projectId),
    ),
    store.updateToken(
      projectId,
      third,
      { enabled: false, rateLimit: null, updatedAt },
      audited("token.updated", third),
    ),
  ]);

  expect(updated.map((token) => token?.id)).toEqual([first, second, undefined, third]);
  await store.close();
  store = await open();
  const stored = await Promise.all([first, second, third].map((id) => store.findTokenById(id)));
  expect(stored.map((token) => [token?.name, token?.permissions, token?.enabled])).toEqual([
    ["first", ["chat"], true],
    ["stored", ["fax", "video"], true],
    ["stored", ["chat"], false],
  ]);
  expect(stored.map((token) => token?.expiresAt?.getTime() ?? null)).toEqual([
    null,
    expiresAt.getTime(),
    null,
  ]);
  expect(stored.map((token) => token?.rateLimit ?? null)).toEqual([
    { limit: 10, windowMs: 60_000 },
    { limit: 10, windowMs: 60_000 },
    null,
  ]);
  expect(await auditedTargetsOf("token.updated")).toEqual([first, second, third].sort());
});

test("two updates of one token made together are both made, in the order they were made", async () => {
  const token = newToken();
  await store.insertToken(token, audited("token.created", token.id));
  const updatedAt = new Date();

  const updated = await Promise.all(
    ["earlier", "later"].map((name) =>
      store.updateToken(
        projectId,
        token.id,
        { name, updatedAt },
        audited("token.updated", token.id),
      ),
    ),
  );

  expect(updated.map((answer) => answer?.name)).toEqual(["earlier", "later"]);
  expect(updated[1]?.updatedAt.getTime()).toBeGreaterThan(updated[0]?.updatedAt.getTime() ?? 0);
  expect((await store.findTokenById(token.id))?.name).toBe("later");
  expect(await auditedTargetsOf("token.updated")).toEqual([token.id, token.id]);
});
