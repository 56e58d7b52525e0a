import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { MalformedRequestError } from "../../src/domain/errors.js";
import { decodePageToken, encodePageToken } from "../../src/domain/page-cursor.js";

describe("page tokens", () => {
  test("every cursor survives encoding and decoding", () => {
    const cursor = fc.record({
      direction: fc.constantFrom("after" as const, "before" as const),
      position: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      page: fc.integer({ min: 0, max: 999_999_999 }),
    });
    fc.assert(
      fc.property(cursor, (value) => {
        expect(decodePageToken(encodePageToken(value))).toEqual(value);
      }),
    );
  });

  test("any string that is not an issued token is refused as malformed, never thrown otherwise", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          decodePageToken(text);
        } catch (error) {
          expect(error).toBeInstanceOf(MalformedRequestError);
        }
      }),
    );
  });
});
