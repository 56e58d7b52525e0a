import { expect, test } from "vitest";
import { isUuid, newId } from "../../src/domain/identifiers.js";
import { randomBytesFromPool } from "../../src/domain/random-pool.js";

test("a new id is a version 7 UUID of RFC 9562", () => {
  const id = newId();

  expect(isUuid(id)).toBe(true);
  expect(id[14]).toBe("7");
  expect("89ab").toContain(id[19]);
});

test("a new id begins with the time it was made", () => {
  const before = Date.now();
  const id = newId();
  const after = Date.now();

  const made = Number.parseInt(id.replace(/-/g, "").slice(0, 12), 16);

  expect(made).toBeGreaterThanOrEqual(before);
  expect(made).toBeLessThanOrEqual(after);
});

test("ids made in different milliseconds sort in the order they were made", async () => {
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    ids.push(newId());
    await new Promise((resolve) => setTimeout(resolve, 2));
  }

  expect([...ids].sort()).toEqual(ids);
});

test("ids made together are all different", () => {
  const ids = Array.from({ length: 10_000 }, newId);

  expect(new Set(ids).size).toBe(ids.length);
});

test("random bytes handed out are never handed out again, across many blocks", () => {
  const drawn = Array.from({ length: 5_000 }, () => randomBytesFromPool(16).toString("hex"));

  expect(new Set(drawn).size).toBe(drawn.length);
});

test("random bytes handed out do not change when more are drawn", () => {
  const held = randomBytesFromPool(24);
  const copy = Buffer.from(held);

  for (let i = 0; i < 1_000; i++) randomBytesFromPool(24);

  expect(held.equals(copy)).toBe(true);
});

test("more random bytes than a block holds at once is refused", () => {
  expect(() => randomBytesFromPool(4097)).toThrow(RangeError);
});
