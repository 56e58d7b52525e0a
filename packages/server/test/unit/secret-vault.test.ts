import { randomBytes } from "node:crypto";
import { describe, expect, test } from "vitest";
import {
  digestFormOf,
  isDigestOf,
  SecretVault,
  sameDigest,
} from "../../src/domain/secret-vault.js";
import { generateSecret } from "../../src/domain/token-secret.js";

describe("the secret vault", () => {
  const vault = new SecretVault(randomBytes(32));

  test("a sealed secret opens to itself for the same token id", () => {
    const secret = generateSecret();
    expect(vault.open(vault.seal(secret, "id-1"), "id-1")).toBe(secret);
  });

  test("a sealed secret does not open for another token id", () => {
    const sealed = vault.seal(generateSecret(), "id-1");
    expect(() => vault.open(sealed, "id-2")).toThrow();
  });

  test("a tampered ciphertext does not open", () => {
    const sealed = vault.seal(generateSecret(), "id-1");
    sealed[sealed.length - 1] = (sealed.at(-1) ?? 0) ^ 1;
    expect(() => vault.open(sealed, "id-1")).toThrow();
  });

  test("digests depend on the server key", () => {
    const secret = generateSecret();
    const other = new SecretVault(randomBytes(32));
    expect(vault.digest(secret).equals(other.digest(secret))).toBe(false);
    expect(sameDigest(vault.digest(secret), vault.digest(secret))).toBe(true);
    expect(sameDigest(vault.digest(secret), other.digest(secret))).toBe(false);
  });

  test("sealing the same secret twice gives different ciphertexts", () => {
    const secret = generateSecret();
    expect(vault.seal(secret, "id").equals(vault.seal(secret, "id"))).toBe(false);
  });

  test("a time-led digest is the secret's time prefix, then the same HMAC as its plain digest", () => {
    const secret = generateSecret(Date.UTC(2026, 11, 4));
    const timeLed = vault.digest(secret, "time-led");
    expect(timeLed.subarray(0, 6).toString("hex")).toBe(secret.slice(2, 14));
    expect(timeLed.subarray(6).equals(vault.digest(secret))).toBe(true);
  });

  test("a presented secret's lookup digests match it stored in either form, and no other secret", () => {
    const secret = generateSecret();
    const digests = vault.lookupDigests(secret);
    expect(isDigestOf(digests, vault.digest(secret, "time-led"))).toBe(true);
    expect(isDigestOf(digests, vault.digest(secret, "plain"))).toBe(true);
    expect(isDigestOf(digests, vault.digest(generateSecret(), "time-led"))).toBe(false);
  });

  test("a stored digest's form is told by its length", () => {
    const secret = generateSecret();
    expect(digestFormOf(vault.digest(secret, "time-led"))).toBe("time-led");
    expect(digestFormOf(vault.digest(secret, "plain"))).toBe("plain");
  });
});
