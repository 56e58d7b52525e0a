import { randomBytes } from "node:crypto";
import { describe, expect, test } from "vitest";
import {
  digestFormOf,
  isDigestOf,
  SecretVault,
  sameDigest,
} from "../../src/domain/secret-vault.js";
import { generateSecret } from "../../src/domain/token-secret.js";

/** Made by the release before format 2, under the key of 32 bytes of 7. */
const EARLIER_RELEASE = {
  key: Buffer.alloc(32, 7),
  secret: "PT0123456789abcdef0123456789abcdef0123456789abcdef",
  boundTo: "0b7f3a52-4c1e-4d2a-9f60-5a8e2c1d7b93",
  sealed:
    "01d51965b2f8ae0ad649d5fa48bedd3fffa968065863644e05df59cca365fe92d73f4d57f683bb4bd36b4137e7099f05de29f0124550832170d660e3b2c1bb7f7c4e90196ddad2d6cb8ec82bb6d601",
  digest: "be8939ba6967417f305c64f926f54244059468643c4c103f537a24b2c0bd9761",
  fingerprint: "a5bb88eb201b5c7d878413412977844eb0e28f60124576058a486edb41d3bd13",
};

describe("what an earlier release stored", () => {
  const { key, secret, boundTo, sealed, digest, fingerprint } = EARLIER_RELEASE;

  test.each([1, 2] as const)("a format 1 seal opens in a vault sealing in format %i", (format) => {
    expect(new SecretVault(key, format).open(Buffer.from(sealed, "hex"), boundTo)).toBe(secret);
  });

  test("a secret's digest is the one it stored", () => {
    expect(new SecretVault(key).digest(secret).toString("hex")).toBe(digest);
  });

  test("the key's fingerprint is the one it stored", () => {
    expect(new SecretVault(key).keyFingerprint()).toBe(fingerprint);
  });
});

describe.each([1, 2] as const)("the secret vault sealing in format %i", (format) => {
  const vault = new SecretVault(randomBytes(32), format);

  test("a seal's first byte is its format", () => {
    expect(vault.seal(generateSecret(), "id-1")[0]).toBe(format);
  });

  test("a vault with another key seals in the same format", () => {
    expect(vault.withKey(randomBytes(32)).seal(generateSecret(), "id-1")[0]).toBe(format);
  });

  test("a sealed secret does not open under another key", () => {
    const sealed = vault.seal(generateSecret(), "id-1");
    expect(() => vault.withKey(randomBytes(32)).open(sealed, "id-1")).toThrow();
  });

  test("a seal cut short does not open", () => {
    const sealed = vault.seal(generateSecret(), "id-1");
    expect(() => vault.open(sealed.subarray(0, 20), "id-1")).toThrow();
  });

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

  test("a tampered counter block or IV does not open", () => {
    const sealed = vault.seal(generateSecret(), "id-1");
    sealed[2] = (sealed[2] ?? 0) ^ 1;
    expect(() => vault.open(sealed, "id-1")).toThrow();
  });

  test("a seal in an unknown format does not open, and says so", () => {
    const sealed = vault.seal(generateSecret(), "id-1");
    sealed[0] = 9;
    expect(() => vault.open(sealed, "id-1")).toThrow("Unknown sealed secret format 9.");
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
