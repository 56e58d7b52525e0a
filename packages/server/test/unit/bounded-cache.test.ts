import { expect, test } from "vitest";
import { boundedCache } from "../../src/domain/bounded-cache.js";

test("a bounded cache keeps its most recently used entries, forgetting the least recently used first", () => {
  const cache = boundedCache<string, number>(3);
  for (const key of ["a", "b", "c"]) cache.set(key, 1);
  expect(cache.get("a")).toBe(1);
  cache.set("d", 1);
  expect([...cache.keys()].sort()).toEqual(["a", "c", "d"]);
  expect(cache.size).toBe(3);
});
