import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, expect, test } from "vitest";
import { UsesLedger } from "../../src/domain/uses-ledger.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { ManualClock } from "../support/manual-clock.js";
import { auditRecord, projectRecord, tokenRecord } from "../support/store-records.js";

const projectId = randomUUID();
let tokenId: string;
let store: SqliteStore;
let clock: ManualClock;
let ledger: UsesLedger;
/** The sizes of the leases the ledger asked the store for, in order. */
let leases: number[];
/** The token's version (its updatedAt): leases taken under another version are void. */
let version: number;

beforeEach(async () => {
  clock = new ManualClock();
  store = await SqliteStore.open(":memory:");
  const now = clock.now();
  version = now.getTime();
  await store.insertProject(
    projectRecord(projectId, now),
    auditRecord(projectId, "project.created", projectId, now),
  );
  const token = tokenRecord(projectId, { now, usesRemaining: 1_000_000 });
  tokenId = token.id;
  await store.insertToken(token, auditRecord(projectId, "token.created", tokenId, now));
  leases = [];
  const takeUses = store.takeUses.bind(store);
  store.takeUses = (id, want, at) => {
    leases.push(want);
    return takeUses(id, want, at);
  };
  ledger = new UsesLedger(store, clock, (error) => {
    throw error;
  });
});
afterEach(() => store.close());

async function spend(count: number, everyMs: number): Promise<void> {
  for (let spent = 0; spent < count; spent++) {
    const decision = await ledger.take(tokenId, version, clock.now());
    expect(decision.allowed).toBe(true);
    clock.advance(everyMs);
  }
}

test("a token spent quickly takes ever larger leases, so a burst costs the store few writes", async () => {
  await spend(20_000, 0);

  expect(leases.length).toBeLessThan(20);
  expect(Math.max(...leases)).toBe(10_000);
});

test("a token spent slowly goes back to leasing one use at a time", async () => {
  await spend(5_000, 0);
  const fast = leases.length;

  await spend(12_000, 60_000);

  expect(leases.slice(fast).at(-1)).toBe(1);
});
