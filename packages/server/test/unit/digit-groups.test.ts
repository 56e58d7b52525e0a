import fc from "fast-check";
import { expect, test } from "vitest";
import { withDigitGroups } from "../../src/domain/digit-groups.js";

test("whole numbers are grouped by thousands exactly as toLocaleString('en') groups them", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
      (n) => {
        expect(withDigitGroups(n)).toBe(n.toLocaleString("en"));
      },
    ),
  );
  expect([0, 999, 1_000, 10_000, 1_000_000].map(withDigitGroups)).toEqual([
    "0",
    "999",
    "1,000",
    "10,000",
    "1,000,000",
  ]);
});
