import { createCipheriv, createDecipheriv, hkdfSync, timingSafeEqual } from "node:crypto";
import { HmacSha256 } from "./hmac-sha256.js";
import { COUNTER_BLOCK_LENGTH, Keystream } from "./keystream.js";
import { randomBytesFromPool } from "./random-pool.js";
import { timePrefixOf } from "./token-secret.js";

const GCM_IV_LENGTH = 12;
const TAG_LENGTH = 16;
/** Format 2's bytes around its ciphertext: the format, the counter block, the tag. */
const CTR_OVERHEAD = 1 + COUNTER_BLOCK_LENGTH + TAG_LENGTH;

export const SECRET_KEY_LENGTH = 32;
const HMAC_LENGTH = 32;

/**
 * How `seal` writes, told by a sealed secret's first byte; `open` reads both.
 * - 1: AES-256-GCM, what is bound to as its associated data. Read by every release.
 * - 2: AES-256-CTR, then HMAC-SHA-256 over what it is bound to and the encryption (encrypt
 *   then MAC), its tag cut to 16 bytes. A GCM cipher object per secret cost a create 7 µs; this
 *   takes its keystream from blocks made 4 KiB at a time (Keystream) and its MAC from a keyed
 *   state made once (HmacSha256), 3 µs. Releases before it cannot open it, so a database
 *   whose nodes may run older code (PostgreSQL, during a rolling upgrade) is written in 1.
 */
export type SealFormat = 1 | 2;

/**
 * The setting that says a database's new secrets are sealed in format 2 (schema step 9): every
 * node on it opens that format. Without it, format 1.
 */
export const SEAL_FORMAT_SETTING = "sealed_secret_format";

/** The format a database's setting says its new secrets are sealed in. */
export function sealFormatOf(setting: string | undefined): SealFormat {
  return setting === "2" ? 2 : 1;
}

/**
 * How a secret's digest is stored. `plain`: its HMAC, for a secret given to Tokenspace (an
 * import, a bootstrap or fixture token, a signing key, and every token issued before secrets
 * led with their time), none of whose digits may be kept in clear. `time-led`: the time prefix
 * of a secret Tokenspace generated (token-secret.ts), then its HMAC, so that new digests sort
 * by when their secrets were made.
 */
export type DigestForm = "plain" | "time-led";

/** A presented secret's digest in each form: it may have been stored either way. */
export interface SecretDigests {
  readonly timeLed: Buffer;
  readonly plain: Buffer;
}

/**
 * Keeps secrets (token secrets, project signing keys) out of the database in plain text. Under
 * one server key it derives independent keys: one for the HMAC-SHA-256 digest used to find a
 * token by its secret, and those of the encryption that lets update and get return the secret
 * (SealFormat). What a secret belongs to (a token's id) is bound into its seal, so a sealed
 * secret moved to another row does not open.
 */
export class SecretVault {
  readonly #sealFormat: SealFormat;
  readonly #digests: HmacSha256;
  readonly #gcmKey: Buffer;
  readonly #keystream: Keystream;
  readonly #sealTags: HmacSha256;

  constructor(serverKey: Buffer, sealFormat: SealFormat = 2) {
    if (serverKey.length !== SECRET_KEY_LENGTH) {
      throw new Error(`The server key must be ${SECRET_KEY_LENGTH} bytes.`);
    }
    this.#sealFormat = sealFormat;
    this.#digests = new HmacSha256(derive(serverKey, "token digest v1"));
    this.#gcmKey = derive(serverKey, "token encryption v1");
    this.#keystream = new Keystream(derive(serverKey, "token encryption v2"));
    this.#sealTags = new HmacSha256(derive(serverKey, "token seal tag v2"));
  }

  /** A vault under another server key that seals in this one's format. */
  withKey(serverKey: Buffer): SecretVault {
    return new SecretVault(serverKey, this.#sealFormat);
  }

  digest(secret: string, form: DigestForm = "plain"): Buffer {
    const hmac = this.#digests.mac(secret);
    return form === "plain" ? hmac : timeLed(secret, hmac);
  }

  /** What to look a presented secret up by: one HMAC, in both forms. */
  lookupDigests(secret: string): SecretDigests {
    const plain = this.#digests.mac(secret);
    return { timeLed: timeLed(secret, plain), plain };
  }

  seal(secret: string, boundTo: string): Buffer {
    return this.#sealFormat === 1 ? this.#sealGcm(secret, boundTo) : this.#sealCtr(secret, boundTo);
  }

  open(sealed: Uint8Array, boundTo: string): string {
    const buffer = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    if (buffer[0] === 1) return this.#openGcm(buffer, boundTo);
    if (buffer[0] === 2) return this.#openCtr(buffer, boundTo);
    throw new Error(`Unknown sealed secret format ${buffer[0]}.`);
  }

  /**
   * A value that identifies the server key without revealing it. Stored in the database at
   * first start, so a node started with a different key refuses to run instead of failing
   * every request.
   */
  keyFingerprint(): string {
    return this.#digests.mac("key fingerprint").toString("hex");
  }

  #sealGcm(secret: string, boundTo: string): Buffer {
    const iv = randomBytesFromPool(GCM_IV_LENGTH);
    const cipher = createCipheriv("aes-256-gcm", this.#gcmKey, iv);
    cipher.setAAD(Buffer.from(boundTo, "utf8"));
    const ciphertext = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
    return Buffer.concat([Buffer.of(1), iv, cipher.getAuthTag(), ciphertext]);
  }

  #openGcm(sealed: Buffer, boundTo: string): string {
    const iv = sealed.subarray(1, 1 + GCM_IV_LENGTH);
    const tag = sealed.subarray(1 + GCM_IV_LENGTH, 1 + GCM_IV_LENGTH + TAG_LENGTH);
    const decipher = createDecipheriv("aes-256-gcm", this.#gcmKey, iv);
    decipher.setAAD(Buffer.from(boundTo, "utf8"));
    decipher.setAuthTag(tag);
    const ciphertext = sealed.subarray(1 + GCM_IV_LENGTH + TAG_LENGTH);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
  }

  #sealCtr(secret: string, boundTo: string): Buffer {
    const plaintext = Buffer.from(secret, "utf8");
    const sealed = Buffer.allocUnsafe(CTR_OVERHEAD + plaintext.length);
    sealed[0] = 2;
    this.#keystream.encryptInto(plaintext, sealed, 1);
    const tagAt = sealed.length - TAG_LENGTH;
    this.#ctrTag(sealed.subarray(0, tagAt), boundTo).copy(sealed, tagAt, 0, TAG_LENGTH);
    return sealed;
  }

  #openCtr(sealed: Buffer, boundTo: string): string {
    const tagAt = sealed.length - TAG_LENGTH;
    if (tagAt < 1 + COUNTER_BLOCK_LENGTH) throw new Error("A sealed secret is cut short.");
    const expected = this.#ctrTag(sealed.subarray(0, tagAt), boundTo).subarray(0, TAG_LENGTH);
    if (!timingSafeEqual(expected, sealed.subarray(tagAt))) {
      throw new Error("A sealed secret does not open under this key, for what it is bound to.");
    }
    const counterBlock = sealed.subarray(1, 1 + COUNTER_BLOCK_LENGTH);
    const ciphertext = sealed.subarray(1 + COUNTER_BLOCK_LENGTH, tagAt);
    return this.#keystream.decrypt(counterBlock, ciphertext).toString("utf8");
  }

  /**
   * Format 2's MAC: over what the secret is bound to, led by its length so that no bound-to
   * value and encryption can be read as another, then the format, counter block and ciphertext.
   */
  #ctrTag(encrypted: Uint8Array, boundTo: string): Buffer {
    const length = Buffer.allocUnsafe(4);
    length.writeUInt32BE(Buffer.byteLength(boundTo, "utf8"));
    return this.#sealTags.mac(length, boundTo, encrypted);
  }
}

/** A time-led digest: the secret's time prefix, then its HMAC. */
function timeLed(secret: string, hmac: Buffer): Buffer {
  return Buffer.concat([timePrefixOf(secret), hmac]);
}

/** The form a stored digest was made in: a time-led one is longer by the time prefix. */
export function digestFormOf(storedDigest: Uint8Array): DigestForm {
  return storedDigest.length > HMAC_LENGTH ? "time-led" : "plain";
}

/** Constant-time check that a secret's digest is a stored one. */
export function sameDigest(digest: Uint8Array, storedDigest: Uint8Array): boolean {
  return digest.length === storedDigest.length && timingSafeEqual(digest, storedDigest);
}

/** Whether a stored digest is a presented secret's, in whichever form it was stored. */
export function isDigestOf(digests: SecretDigests, storedDigest: Uint8Array): boolean {
  return sameDigest(digests.timeLed, storedDigest) || sameDigest(digests.plain, storedDigest);
}

function derive(serverKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", serverKey, "tokenspace", purpose, SECRET_KEY_LENGTH));
}
