import { TOKEN_SECRET_PATTERN } from "@tokenspace/contract";
import { randomBytesFromPool } from "./random-pool.js";

const SECRET_PATTERN = new RegExp(TOKEN_SECRET_PATTERN);
const TIME_PREFIX_BYTES = 6;
const RANDOM_BYTES = 18;

/**
 * A new token secret in SignalWire's shape (`PT` and 48 hex digits): the millisecond it was
 * made (12 digits), then 144 random bits (36 digits). The time leads so that the secrets
 * Tokenspace issues sort by when they were made, and so can their stored digests
 * (SecretVault): each new token's entry then joins the end of the digest's unique index, on a
 * page the last commit already wrote, instead of a random page of it, which halves the pages a
 * durable create writes. The time is no secret: a token's creation time is in its own record.
 */
export function generateSecret(madeAt: number = Date.now()): string {
  const bytes = Buffer.allocUnsafe(TIME_PREFIX_BYTES + RANDOM_BYTES);
  bytes.writeUIntBE(madeAt, 0, TIME_PREFIX_BYTES);
  randomBytesFromPool(RANDOM_BYTES).copy(bytes, TIME_PREFIX_BYTES);
  return `PT${bytes.toString("hex")}`;
}

/** The time prefix a generated secret leads with (for a chosen secret, its first 6 bytes). */
export function timePrefixOf(secret: string): Buffer {
  return Buffer.from(secret.slice(2, 2 + TIME_PREFIX_BYTES * 2), "hex");
}

export function isWellFormedSecret(value: string): boolean {
  return SECRET_PATTERN.test(value);
}
