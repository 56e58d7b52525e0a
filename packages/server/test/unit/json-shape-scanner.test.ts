import { PERMISSION_LIST_MAX_ITEMS } from "@tokenspace/contract";
import { expect, test } from "vitest";
import { JsonShapeScanner } from "../../src/http/body-limits.js";

/** Feeds a body in pieces cut at the given byte offsets; what the scanner refused it for, if anything. */
function scan(body: string, cuts: readonly number[] = []) {
  const bytes = Buffer.from(body, "utf8");
  const scanner = new JsonShapeScanner();
  const edges = [0, ...cuts, bytes.length];
  for (let piece = 0; piece + 1 < edges.length; piece++) {
    const refusal = scanner.feed(bytes.subarray(edges[piece], edges[piece + 1]));
    if (refusal) return refusal;
  }
  return undefined;
}

const tooLongList = JSON.stringify({
  name: "n",
  permissions: new Array(PERMISSION_LIST_MAX_ITEMS + 1).fill("chat"),
});

test("a list longer than any valid one is refused, naming its field", () => {
  expect(scan(tooLongList)?.message).toContain("permissions must list at most");
});

test("a list's field is named when its key arrives split over several chunks", () => {
  const keyAt = Buffer.from(tooLongList).indexOf("permissions");
  expect(scan(tooLongList, [keyAt + 2, keyAt + 5, keyAt + 9])?.message).toContain(
    "permissions must list at most",
  );
});

test("brackets, commas and escaped quotes inside strings, multibyte text among them, are not structure", () => {
  const name = `é,[{"\\"ü${",".repeat(100)}[[[[[[[[[[[[[[[[[[`;
  expect(scan(JSON.stringify({ name, permissions: ["chat"] }))).toBeUndefined();
  const bytes = Buffer.byteLength(JSON.stringify({ name }));
  expect(scan(JSON.stringify({ name }), [3, 8, 9, bytes - 2])).toBeUndefined();
});

test("nesting deeper than any route accepts is refused", () => {
  expect(scan(`{"a":${"[".repeat(20)}`)?.message).toContain("nested more than");
});

test("more fields than any route accepts are refused", () => {
  const fields = Object.fromEntries(Array.from({ length: 40 }, (_, index) => [`f${index}`, 1]));
  expect(scan(JSON.stringify(fields))?.message).toContain("more than 32 fields");
});
