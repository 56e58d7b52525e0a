import { expect, test } from "vitest";
import { RequestIds } from "../../src/http/request-ids.js";

const VERSION_4_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test("a request id is a version 4 UUID of RFC 9562, across many blocks", () => {
  const ids = new RequestIds();

  for (let i = 0; i < 1_000; i++) expect(ids.next()).toMatch(VERSION_4_UUID);
});

test("request ids are all different, across many blocks", () => {
  const ids = new RequestIds();
  const made = Array.from({ length: 10_000 }, () => ids.next());

  expect(new Set(made).size).toBe(made.length);
});

test("only its dashes and its version digit are the same in every request id", () => {
  const ids = new RequestIds();
  const seen = Array.from({ length: 36 }, () => new Set<string>());
  for (let i = 0; i < 2_000; i++) {
    for (const [position, character] of [...ids.next()].entries()) seen[position]?.add(character);
  }

  const fixed = seen.flatMap((characters, position) => (characters.size === 1 ? [position] : []));
  expect(fixed).toEqual([8, 13, 14, 18, 23]);
});
