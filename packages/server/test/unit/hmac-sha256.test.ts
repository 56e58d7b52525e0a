import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, test } from "vitest";
import { HmacSha256 } from "../../src/domain/hmac-sha256.js";

describe("HMAC-SHA-256 under one key", () => {
  const key = randomBytes(32);
  const hmac = new HmacSha256(key);
  const nodeHmac = (message: string | Uint8Array) =>
    createHmac("sha256", key).update(message).digest();

  test.each([
    ["an empty message", ""],
    ["a token secret", "PT0123456789abcdef0123456789abcdef0123456789abcdef"],
    ["text beyond ASCII", "clé 🔑 ключ"],
    ["text too long for the scratch buffer", "é".repeat(1_000)],
  ])("is node's createHmac, bit for bit, for %s", (_, message) => {
    expect(hmac.mac(message).equals(nodeHmac(message))).toBe(true);
  });

  test("of several parts is the MAC of the parts joined", () => {
    const bytes = randomBytes(100);
    const joined = Buffer.concat([Buffer.from("bound-to", "utf8"), bytes]);
    expect(hmac.mac("bound-to", bytes).equals(nodeHmac(joined))).toBe(true);
  });

  test("answers each MAC in a buffer of its own", () => {
    const first = hmac.mac("first");
    const firstBytes = Buffer.from(first);
    hmac.mac("second");
    expect(first.equals(firstBytes)).toBe(true);
  });

  test("depends on the key", () => {
    expect(hmac.mac("message").equals(new HmacSha256(randomBytes(32)).mac("message"))).toBe(false);
  });
});
