import { describe, expect, test } from "vitest";
import { canonicalPermissions, suggestPermission } from "../../src/domain/permissions.js";

describe("permission names", () => {
  test.each([
    ["voice", "calling"],
    ["sms", "messaging"],
    ["Calling", "calling"],
    ["mesaging", "messaging"],
    ["numbrs", "numbers"],
    [" video ", "video"],
  ])("%s suggests %s", (input, expected) => {
    expect(suggestPermission(input)).toBe(expected);
  });

  test("a name far from every permission suggests nothing", () => {
    expect(suggestPermission("teleportation")).toBeUndefined();
  });

  test("canonical order removes duplicates and follows the documented order", () => {
    expect(canonicalPermissions(["video", "calling", "video", "fax"])).toEqual([
      "calling",
      "fax",
      "video",
    ]);
  });
});
