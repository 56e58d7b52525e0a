import { describe, expect, test } from "vitest";
import { generateSecret, isWellFormedSecret, timePrefixOf } from "../../src/domain/token-secret.js";

describe("a generated token secret", () => {
  test("has SignalWire's shape: PT and 48 lowercase hex digits", () => {
    expect(isWellFormedSecret(generateSecret())).toBe(true);
  });

  test("leads with the millisecond it was made, in 12 hex digits", () => {
    const madeAt = Date.UTC(2026, 11, 4, 19, 30, 0, 123);
    const secret = generateSecret(madeAt);
    expect(Number.parseInt(secret.slice(2, 14), 16)).toBe(madeAt);
    expect(timePrefixOf(secret).readUIntBE(0, 6)).toBe(madeAt);
  });

  test("sorts after every secret made earlier, whatever its random part", () => {
    const earlier = Array.from({ length: 100 }, (_, index) => generateSecret(1_000_000 + index));
    const later = Array.from({ length: 100 }, () => generateSecret(1_000_100));
    for (const secret of later) expect(earlier.every((before) => before < secret)).toBe(true);
  });

  test("secrets made in the same millisecond differ in their 144 random bits", () => {
    const secrets = Array.from({ length: 1000 }, () => generateSecret(42));
    expect(new Set(secrets).size).toBe(1000);
    expect(new Set(secrets.map((secret) => secret.slice(2, 14))).size).toBe(1);
  });
});
